/**
 * The delivery controllers every provider configuration offers: Flagger and Argo Rollouts, each
 * judging for itself whether it can drive the configuration it is given.
 */
import { DeliveryTarget } from './delivery-target';
import { DeliveryEngines } from '../../model/renderer';
import { argoRolloutRenderer } from '../argo-rollouts/argo-rollout';
import { flaggerRenderer } from '../flagger/flagger-canary';

export function deliveryEngines(target: DeliveryTarget): DeliveryEngines {
  return {
    renderer: (options, release) => {
      switch (options.engine) {
        case 'flagger': return flaggerRenderer(target, options, release);
        case 'argo-rollouts': return argoRolloutRenderer(target, options, release);
        default: throw new Error(`${release.source.node.path}: internal error: static steps have no delivery controller`);
      }
    },
  };
}
