/**
 * Every counterexample the property suites ever shrank to, kept as a plain test (issue 13).
 * Each names the seed run that found it.
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease, HttpMethod, MeshAuthorization, MeshWorkload, PathMatch, Peer, RequestMatch, RoutePolicy } from '../../src';
import { ENTRY_POINTS, outcome, withValue } from '../support/entry-points';
import { capsOf, chart, meshOf, ofKind, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

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

/** Shrunk counterexamples of the valid-program property (valid-programs.property.test.ts): output the CRDs refused. */
describe('shrunk counterexamples of the valid-program property', () => {
  // seed 2: 3 methods × 3 paths gave one Linkerd HTTPRoute rule 9 matches (the schema allows 8)
  itValidates.each(['linkerd', 'linkerd-policy-2-14', 'linkerd-smi'])('MeshAuthorization with 3 methods × 3 paths on %s', (provider) => {
    const c = chart('shop');
    const mesh = meshOf(provider);
    const client = new MeshWorkload(c, 'client', { mesh, serviceName: 'client', version: 'v1', image: 'client:1', port: 8080 });
    const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
    new MeshAuthorization(c, 'authz', {
      mesh,
      workload: release.workloadSelector,
      allow: [{
        name: 'client',
        from: [Peer.identity(client.identity)],
        methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE],
        paths: ['/api/*', '/health', '/reviews/*'],
      }],
    });
    const out = Testing.synth(c);
    const route = ofKind(out, 'HTTPRoute').find(r => r.metadata.name === 'authz-client');
    expect(route.spec.rules.map((r: any) => r.matches.length)).toEqual([8, 1]);
    expectValid({ [provider]: out }, { [provider]: validationTargetOf(provider) });
  });

  // seed 2: a matched RoutePolicy's 1s timeout on a release whose retries try for 3s gave
  // backendRequest 3s > request 1s, which Gateway API's CEL refuses; the try now ends with the request
  itValidates('a route policy timeout shorter than the release\'s per-try timeout (istio-gateway-api-experimental)', () => {
    const provider = 'istio-gateway-api-experimental';
    const c = chart('shop');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { retries: capsOf(provider).retries, timeout: Duration.seconds(5) }));
    new RoutePolicy(c, 'orders', {
      host: release, matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/orders') })], timeout: Duration.seconds(1),
    });
    const out = Testing.synth(c);
    const timeouts = ofKind(out, 'HTTPRoute')[0].spec.rules.map((r: any) => r.timeouts);
    expect(timeouts).toContainEqual({ request: '1s', backendRequest: '1s' });
    expect(timeouts).toContainEqual({ request: '5s', backendRequest: '3s' });
    expectValid({ [provider]: out }, { [provider]: validationTargetOf(provider) });
  });
});
