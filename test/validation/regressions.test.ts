/**
 * Every counterexample the property suites ever shrank to, kept as a plain test (issue 13).
 * Each names the seed run that found it.
 */
import { ENTRY_POINTS, outcome, withValue } from '../support/entry-points';

/** [entry point, [prop, wrong value]...]: each wrong prop must be reported, in one error. */
const FOUND: [string, [string, unknown][]][] = [
  // seed 13013: a wrong mesh stopped the report before the steps were checked
  ['CanaryRelease', [['mesh', 'istio'], ['steps', []]]],
  // seed 13013: steps that are not an array hid a currentStep of the wrong type
  ['CanaryRelease', [['steps', 'x'], ['currentStep', '3']]],
  // seed 13013: matches that are not an array crashed with a TypeError after other problems
  ['CanaryRelease', [['canaryMatches', 'x'], ['retries', 'x'], ['namespace', 42], ['mirrorPercent', '5']]],
  // seed 13013: a wrong version stopped MeshProvider.linkerd before clusterDomain was checked
  ['MeshProvider.linkerd', [['version', 'x'], ['clusterDomain', 'a b']]],
];

describe('shrunk counterexamples of the invalid-input property', () => {
  test.each(FOUND)('%s with %j', (name, picks) => {
    const entry = ENTRY_POINTS.find(e => e.name === name)!;
    const r = outcome(entry, picks.reduce((p, [path, value]) => withValue(p, path, value), entry.props()));
    expect(r.outcome).toBe('ok');
    for (const [path] of picks) expect(r.message).toContain(`'${path}`);
  });
});
