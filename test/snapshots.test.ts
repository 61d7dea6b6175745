/**
 * One small snapshot per construct per provider of what the mesh reads, as the YAML a user would
 * apply: the mesh objects, and of
 * Deployments and Services only their mesh labels and annotations (support/scenarios.ts meshView).
 * A construct added to a canary (CircuitBreaker, the ingress) records only what it adds or changes.
 * The rules these snapshots must follow are stated in provider-rules.test.ts; a snapshot only makes
 * a change visible in review. Regenerate deliberately with `npx jest test/snapshots.test.ts --ci=false -u`.
 */
import { Yaml } from 'cdk8s';
import { PROVIDERS } from './support/fixtures';
import { addedOrChanged, expressible, meshView, SCENARIOS, synthOf } from './support/scenarios';

describe.each(Object.keys(PROVIDERS))('%s', (provider) => {
  const cases = Object.keys(SCENARIOS).filter(s => expressible(s, provider));

  test.each(cases)('%s', (scenario) => {
    const out = synthOf(scenario, provider);
    const base = SCENARIOS[scenario].base;
    expect(Yaml.stringify(...meshView(base ? addedOrChanged(base(provider), out) : out))).toMatchSnapshot();
  });
});
