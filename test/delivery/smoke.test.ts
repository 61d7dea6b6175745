import { Testing } from 'cdk8s';
import { CanaryRelease, Delivery } from '../../src';
import { chart, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { expectValid } from '../support/validator';

test.each(['istio', 'linkerd', 'istio-gateway-api', 'gateway-api', 'linkerd-smi', 'linkerd-smi-v1alpha2', 'istio-1-24'])('%s', (p) => {
  for (const d of [Delivery.flagger(), Delivery.argoRollouts({ analysis: {} })]) {
    const c = chart('bookinfo');
    try {
      new CanaryRelease(c, 'reviews', reviewsCanary(p, { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: d }));
      const out = Testing.synth(c);
      expectValid({ [`${p}-${d.engine}`]: out }, { [`${p}-${d.engine}`]: validationTargetOf(p) });
    } catch (e) {
      // eslint-disable-next-line no-console
      console.log(p, d.engine, (e as Error).message);
    }
  }
});
