/**
 * Issue 12, items 7, 11 and 13: what a cluster would do differently from what the program says,
 * each pinned by the upstream rule.
 */
import { App, Chart, Testing } from 'cdk8s';
import {
  CanaryRelease, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, HeaderMatch, IngressGateway, QueryParamMatch,
  RequestMatch,
} from '../src';
import { chart, meshOf, one, reviewsCanary } from './support/fixtures';

describe('match names', () => {
  const withMatch = (provider: string, match: RequestMatch) => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary(provider, { canaryMatches: [match] }));
    return Testing.synth(c);
  };

  // Query parameter names are case-sensitive (Gateway API HTTPQueryParamMatch: "exact string match";
  // Envoy's query_parameters matcher compares names as given); Istio used to lower-case them.
  test('Istio keeps a query parameter name as written (they are case-sensitive)', () => {
    const vs = one(withMatch('istio', RequestMatch.of({ queryParams: [QueryParamMatch.exact('userId', '7')] })), 'VirtualService');
    expect(vs.spec.http[0].match).toEqual([{ queryParams: { userId: { exact: '7' } } }]);
  });

  test('Istio lower-cases header names (it matches headers by their lower-case key)', () => {
    const vs = one(withMatch('istio', RequestMatch.of({ headers: [HeaderMatch.exact('End-User', 'jason')] })), 'VirtualService');
    expect(vs.spec.http[0].match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
  });

  // Gateway API: "If multiple entries specify equivalent header names, only the first entry with
  // an equivalent name MUST be considered" (header names are case-insensitive, RFC 9110); Istio
  // keeps one condition per lower-cased key. Two conditions on one name would silently be one.
  test('two conditions on one header name, differing only in case: rejected', () => {
    expect(() => withMatch('gateway-api', RequestMatch.of({ headers: [HeaderMatch.exact('X-Env', 'a'), HeaderMatch.regex('x-env', 'b.*')] })))
      .toThrow(/^test\/reviews: 'canaryMatches\[0\]\.headers' \("x-env"\) must be named once per match \(header names are case-insensitive\)$/);
  });

  test('two conditions on one query parameter name: rejected; names differing in case are two parameters', () => {
    expect(() => withMatch('istio', RequestMatch.of({ queryParams: [QueryParamMatch.exact('v', '1'), QueryParamMatch.exact('v', '2')] })))
      .toThrow(/^test\/reviews: 'canaryMatches\[0\]\.queryParams' \("v"\) must be named once per match$/);
    const vs = one(withMatch('istio', RequestMatch.of({ queryParams: [QueryParamMatch.exact('v', '1'), QueryParamMatch.exact('V', '2')] })), 'VirtualService');
    expect(vs.spec.http[0].match[0].queryParams).toEqual({ v: { exact: '1' }, V: { exact: '2' } });
  });
});

describe('mirroring copies what goes to the stable version', () => {
  test('a canary at 100 % with mirroring: an error (the canary would get copies of its own requests)', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviewsCanary('istio', { steps: [50, 100], currentStep: 1, mirrorPercent: 50 })))
      .toThrow(/^test\/reviews: 'mirrorPercent' \(50\) must be unset at a step that sends every request to the canary \(step 1 is 100 %\): mirroring copies what goes to the stable version, and nothing does$/);
  });

  test('below 100 % the mirror stays', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { steps: [50, 100], currentStep: 0, mirrorPercent: 50 }));
    expect(one(Testing.synth(c), 'VirtualService').spec.http[1]).toMatchObject({ mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 50 } });
  });
});

describe('a gateway backend lives where its release is', () => {
  function route(release: CanaryRelease, c: Chart) {
    const gateway = new IngressGateway(c, 'edge', {
      mesh: meshOf('gateway-api'), namespace: 'ingress', implementation: GatewayImplementation.fromClassName('eg'), listeners: [GatewayListener.http()],
    });
    return () => new GatewayRoute(c, 'route', { gateway, namespace: 'ingress', rules: [{ backends: [GatewayBackend.canary(release)] }] });
  }

  test('a release in a chart without a namespace: an error, not the route\'s namespace', () => {
    const app = new App();
    const releaseChart = new Chart(app, 'apps');
    const release = new CanaryRelease(releaseChart, 'reviews', reviewsCanary('gateway-api'));
    expect(route(release, new Chart(app, 'edge'))).toThrow(/^edge\/route: 'rules\[0\]\.backends\[0\]' \("apps\/reviews"\) must be a host whose namespace is known: set the namespace of the release \(or of its chart\)/);
  });

  test('a release in a namespaced chart: its chart\'s namespace, with a ReferenceGrant there', () => {
    const app = new App();
    const release = new CanaryRelease(new Chart(app, 'apps', { namespace: 'shop' }), 'reviews', reviewsCanary('gateway-api'));
    const edge = new Chart(app, 'edge');
    route(release, edge)();
    const out = Testing.synth(edge);
    expect(one(out, 'HTTPRoute', 'route').spec.rules[0].backendRefs.map((b: any) => [b.name, b.namespace])).toEqual([['reviews-v1', 'shop'], ['reviews-v2', 'shop']]);
    expect(one(out, 'ReferenceGrant').metadata).toEqual({ name: 'from-httproute-ingress-route', namespace: 'shop' });
  });
});
