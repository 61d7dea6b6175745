import { Duration, Testing } from 'cdk8s';
import {
  AllowedRoutes, CanaryRelease, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, GatewayRouteProps, HeaderMatch,
  IngressGateway, PathMatch, RequestMatch, TlsCertificate,
} from '../../src';
import { chart, meshOf, reviewsCanary } from '../support/fixtures';

const api = [GatewayBackend.service('api', 8080)];

/** A gateway on `provider` with an HTTP listener, in chart namespace `shop`. */
function setup(provider = 'istio', namespace: string | undefined = 'shop') {
  const c = chart(namespace);
  const gateway = new IngressGateway(c, 'gw', {
    mesh: meshOf(provider),
    implementation: provider.startsWith('gateway-api') ? GatewayImplementation.fromClassName('eg') : undefined,
    listeners: [GatewayListener.http({ hostname: '*.example.com' }), GatewayListener.tlsPassthrough({ name: 'tls', port: 8443 })],
  });
  return { c, gateway };
}

function route(overrides: Partial<GatewayRouteProps>, provider?: string): () => void {
  return () => {
    const { c, gateway } = setup(provider);
    new GatewayRoute(c, 'route', { gateway, rules: [{ backends: api }], ...overrides });
  };
}

describe('GatewayRoute rejects', () => {
  test('no rule', () => {
    expect(route({ rules: [] })).toThrow(/test\/route: 'rules' \(\[\]\) must be non-empty \(at least one rule\)/);
  });

  test('more than 16 rules', () => {
    expect(route({ rules: Array.from({ length: 17 }, () => ({ backends: api })) })).toThrow(/'rules' \("17 rules"\) must be at most 16/);
  });

  test('a path match that does not start with /', () => {
    expect(route({ rules: [{ matches: [RequestMatch.pathPrefix('api')], backends: api }] }))
      .toThrow(/test\/route: 'rules\[0\]\.matches\[0\]\.path' \("api"\) must be a path that starts with '\/'/);
  });

  test('a regex path on plain Gateway API (implementation-specific)', () => {
    expect(route({ rules: [{ matches: [RequestMatch.of({ path: PathMatch.regex('^/v[0-9]+/') })], backends: api }] }, 'gateway-api'))
      .toThrow(/test\/route: Gateway API \(gateway\.networking\.k8s\.io\/v1 Gateway\) cannot express a regular-expression path match; .*implementation-specific/);
  });

  test('a header prefix match on Gateway API', () => {
    expect(route({ rules: [{ matches: [RequestMatch.of({ headers: [HeaderMatch.prefix('x-v', 'a')] })], backends: api }] }, 'istio-gateway-api'))
      .toThrow(/Istio \(gateway\.networking\.k8s\.io\/v1 Gateway\) cannot express a prefix match on header 'x-v'; use HeaderMatch\.regex/);
  });

  test('retries on standard Gateway API', () => {
    expect(route({ rules: [{ backends: api, retries: { attempts: 2 } }] }, 'gateway-api'))
      .toThrow(/test\/route: Gateway API \(gateway\.networking\.k8s\.io\/v1 Gateway\) cannot express retries; the standard channel/);
  });

  test('a redirect and backends in one rule', () => {
    expect(route({ rules: [{ backends: api, redirect: { scheme: 'https' } }] }))
      .toThrow(/'rules\[0\]\.redirect' \(\{"scheme":"https"\}\) must be unset when the rule has backends/);
  });

  test('a rule with neither backends nor a redirect', () => {
    expect(route({ rules: [{ matches: [RequestMatch.pathPrefix('/x')] }] })).toThrow(/'rules\[0\]\.backends' \(\[\]\) must be non-empty, or a redirect set instead/);
  });

  test('a redirect that changes nothing, a bad scheme, a bad status code', () => {
    expect(route({ rules: [{ redirect: {} }] })).toThrow(/'rules\[0\]\.redirect' \(\{\}\) must be a change of scheme, hostname, path or port/);
    expect(route({ rules: [{ redirect: { scheme: 'ftp' } }] })).toThrow(/'rules\[0\]\.redirect\.scheme' \("ftp"\) must be "http" or "https"/);
    expect(route({ rules: [{ redirect: { scheme: 'https', statusCode: 200 } }] })).toThrow(/'rules\[0\]\.redirect\.statusCode' \(200\) must be one of 301, 302, 303, 307, 308/);
  });

  test('a rewrite with a redirect, a prefix rewrite without one prefix match, two path rewrites', () => {
    expect(route({ rules: [{ redirect: { scheme: 'https' }, rewrite: { hostname: 'a.example.com' } }] })).toThrow(/'rules\[0\]\.rewrite' .* must be unset when the rule redirects/);
    expect(route({ rules: [{ backends: api, rewrite: { pathPrefix: '/v1' } }] })).toThrow(/'rules\[0\]\.rewrite\.pathPrefix' \("\/v1"\) must be used in a rule with exactly one match, on a path prefix/);
    expect(route({ rules: [{ matches: [RequestMatch.pathPrefix('/a')], backends: api, rewrite: { pathPrefix: '/b', fullPath: '/c' } }] }))
      .toThrow(/'rules\[0\]\.rewrite\.fullPath' \("\/c"\) must be unset when pathPrefix is set/);
  });

  test('invalid hostnames: a wildcard not leading, upper case, a host the listener does not accept, duplicates', () => {
    expect(route({ hostnames: ['shop.*.example.com'] })).toThrow(/'hostnames\[0\]' \("shop\.\*\.example\.com"\) must be a lower-case DNS name, with a wildcard only as a leading '\*\.'/);
    expect(route({ hostnames: ['Shop.example.com'] })).toThrow(/'hostnames\[0\]' \("Shop\.example\.com"\) must be a lower-case DNS name/);
    expect(route({ hostnames: ['shop.example.org'] })).toThrow(/'hostnames\[0\]' \("shop\.example\.org"\) must be a host that listener 'http' accepts \(\*\.example\.com\)/);
    expect(route({ hostnames: ['a.example.com', 'a.example.com'] })).toThrow(/'hostnames\[1\]' \("a\.example\.com"\) must be unique/);
  });

  test('weights that do not add up to 100, a missing weight, a weight out of range', () => {
    const w = (a: number, b: number) => [GatewayBackend.service('a', 80, { weight: a }), GatewayBackend.service('b', 80, { weight: b })];
    expect(route({ rules: [{ backends: w(90, 20) }] })).toThrow(/'rules\[0\]\.backends' \(\[90,20\]\) must be weights that add up to 100/);
    expect(route({ rules: [{ backends: [GatewayBackend.service('a', 80, { weight: 50 }), GatewayBackend.service('b', 80)] }] }))
      .toThrow(/'rules\[0\]\.backends\[1\]\.weight' \(undefined\) must be set on every backend/);
    expect(route({ rules: [{ backends: [GatewayBackend.service('a', 80, { weight: 150 })] }] })).toThrow(/'rules\[0\]\.backends\[0\]\.weight' \(150\) must be an integer in 0\.\.100/);
  });

  test('bad backend names and ports', () => {
    expect(route({ rules: [{ backends: [GatewayBackend.service('API', 80)] }] })).toThrow(/'rules\[0\]\.backends\[0\]\.name' \("API"\) must be a DNS-1035 label/);
    expect(route({ rules: [{ backends: [GatewayBackend.service('api', 0)] }] })).toThrow(/'rules\[0\]\.backends\[0\]\.port' \(0\) must be an integer in 1\.\.65535/);
  });

  test('a canary backend next to another backend, or on another provider', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    const gateway = new IngressGateway(c, 'gw', { mesh: meshOf('istio'), listeners: [GatewayListener.http()] });
    expect(() => new GatewayRoute(c, 'r1', { gateway, rules: [{ backends: [GatewayBackend.canary(release), ...api] }] }))
      .toThrow(/'rules\[0\]\.backends' \("2 backends"\) must be a single GatewayBackend\.canary\(\)/);
    const other = new IngressGateway(c, 'gw2', { mesh: meshOf('istio-gateway-api'), listeners: [GatewayListener.http()] });
    expect(() => new GatewayRoute(c, 'r2', { gateway: other, rules: [{ backends: [GatewayBackend.canary(release)] }] }))
      .toThrow(/test\/r2: 'backends' \("test\/reviews"\) must be a release rendered by the gateway's mesh provider/);
  });

  test('bad header modifications', () => {
    expect(route({ rules: [{ backends: api, requestHeaders: {} }] })).toThrow(/'rules\[0\]\.requestHeaders' \(\{\}\) must be at least one header to set, add or remove/);
    expect(route({ rules: [{ backends: api, requestHeaders: { set: { 'bad header': 'x' } } }] })).toThrow(/'rules\[0\]\.requestHeaders\.set' \("bad header"\) must be a valid HTTP header name/);
    expect(route({ rules: [{ backends: api, responseHeaders: { set: { 'x-a': '1' }, remove: ['x-a'] } }] })).toThrow(/'rules\[0\]\.responseHeaders' \("x-a"\) must be named once across set, add and remove/);
  });

  test('a non-positive timeout and a per-try timeout above it', () => {
    expect(route({ rules: [{ backends: api, timeout: Duration.millis(0) }] })).toThrow(/'rules\[0\]\.timeout' .* must be a positive duration/);
    expect(route({ rules: [{ backends: api, timeout: Duration.seconds(1), retries: { attempts: 2, perTryTimeout: Duration.seconds(2) } }] }))
      .toThrow(/'rules\[0\]\.retries\.perTryTimeout' .* must be at most the request timeout/);
  });

  test('an unknown listener, a redirecting listener, a passthrough route without hostnames or with HTTP rules', () => {
    expect(route({ listener: 'nope' })).toThrow(/test\/route: 'listener' \("nope"\) must be a listener of gateway test\/gw \(http, tls\)/);
    expect(route({ listener: 'tls', rules: [{ backends: api }] })).toThrow(/'hostnames' \(\[\]\) must be non-empty on a TLS passthrough listener/);
    expect(route({ listener: 'tls', hostnames: ['db.example.com'], rules: [{ matches: [RequestMatch.pathPrefix('/')], backends: api }] }))
      .toThrow(/'rules' \("1 rule\(s\)"\) must be one rule with backends only on TLS passthrough listener 'tls'/);
    const c = chart('shop');
    const gateway = new IngressGateway(c, 'gw', {
      mesh: meshOf('istio'),
      listeners: [GatewayListener.http({ redirectToHttps: true }), GatewayListener.https({ certificate: TlsCertificate.fromSecret('tls') })],
    });
    expect(() => new GatewayRoute(c, 'r', { gateway, listener: 'http', rules: [{ backends: api }] }))
      .toThrow(/'listener' \("http"\) must be a listener that routes \(this one redirects every request to HTTPS\)/);
  });

  test('two routes claiming the same host and path on one gateway, naming both', () => {
    const { c, gateway } = setup();
    new GatewayRoute(c, 'first', { gateway, hostnames: ['a.example.com'], rules: [{ matches: [RequestMatch.pathPrefix('/api')], backends: api }] });
    new GatewayRoute(c, 'other-path', { gateway, hostnames: ['a.example.com'], rules: [{ matches: [RequestMatch.pathPrefix('/web')], backends: api }] });
    expect(() => new GatewayRoute(c, 'second', { gateway, hostnames: ['a.example.com'], rules: [{ matches: [RequestMatch.pathPrefix('/api')], backends: api }] }))
      .toThrow(/test\/second: host 'a\.example\.com' path prefix '\/api' on listener 'http' of gateway 'gw' is already routed by test\/first/);
  });

  test('a route in another namespace than a same-namespace gateway', () => {
    expect(route({ namespace: 'other' })).toThrow(/test\/route: 'namespace' \("other"\) must be the namespace of gateway test\/gw \(shop\)/);
  });

  test('a cross-namespace backend from a route without a namespace', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { mesh: meshOf('istio'), listeners: [GatewayListener.http()], allowedRoutes: AllowedRoutes.allNamespaces() });
    expect(() => new GatewayRoute(c, 'r', { gateway, rules: [{ backends: [GatewayBackend.service('api', 80, { namespace: 'backend' })] }] }))
      .toThrow(/test\/r: 'namespace' \(undefined\) must be set \(or the chart's\) because rules\[0\] routes to namespace 'backend'/);
  });

  test('a bad route name', () => {
    expect(route({ name: 'Bad_Name' })).toThrow(/test\/route: 'name' \("Bad_Name"\) must be a DNS-1123 label/);
  });
});

describe('IngressGateway rejects', () => {
  const gw = (props: Partial<ConstructorParameters<typeof IngressGateway>[2]>, provider = 'istio') => () => {
    new IngressGateway(chart('shop'), 'gw', { mesh: meshOf(provider), listeners: [GatewayListener.http()], ...props });
  };

  test('no listener, duplicate listener names, HTTP and TLS on one port', () => {
    expect(gw({ listeners: [] })).toThrow(/test\/gw: 'listeners' \(\[\]\) must be non-empty/);
    expect(gw({ listeners: [GatewayListener.http(), GatewayListener.http({ port: 8080 })] })).toThrow(/'listeners\[1\]\.name' \("http"\) must be unique on the gateway/);
    expect(gw({ listeners: [GatewayListener.http({ port: 443 }), GatewayListener.tlsPassthrough()] })).toThrow(/'listeners\[0\]\.port' \(443\) must be not shared between HTTP and TLS/);
  });

  test('a TLS listener without a certificate', () => {
    expect(gw({ listeners: [GatewayListener.https({} as any)] })).toThrow(/'listeners\[0\]\.certificate' \(undefined\) must be set: a TLS listener needs a certificate/);
  });

  test('bad listener hostname, port and secret name', () => {
    expect(gw({ listeners: [GatewayListener.http({ hostname: '*' })] })).toThrow(/'listeners\[0\]\.hostname' \("\*"\) must be a lower-case DNS name/);
    expect(gw({ listeners: [GatewayListener.http({ port: 70000 })] })).toThrow(/'listeners\[0\]\.port' \(70000\) must be an integer in 1\.\.65535/);
    expect(gw({ listeners: [GatewayListener.https({ certificate: TlsCertificate.fromSecret('Bad') })] })).toThrow(/'listeners\[0\]\.certificate\.secretName' \("Bad"\) must be a DNS-1123 label/);
  });

  test('no implementation on plain Gateway API', () => {
    expect(gw({}, 'gateway-api')).toThrow(/test\/gw: Gateway API \(gateway\.networking\.k8s\.io\/v1 Gateway\) cannot express a gateway without a named implementation; name the gateway implementation/);
  });

  test('a namespace label selector on Istio\'s own API', () => {
    expect(gw({ allowedRoutes: AllowedRoutes.namespacesWithLabels({ expose: 'true' }) }))
      .toThrow(/test\/gw: Istio \(networking\.istio\.io\/v1 Gateway\) cannot express route namespaces selected by label \(allowedRoutes\); use AllowedRoutes\.sameNamespace\(\)/);
  });

  test('a GatewayClass on Istio\'s own API (it selects pods, a class would be dropped)', () => {
    expect(gw({ implementation: GatewayImplementation.withController('edge', 'example.com/edge') }))
      .toThrow(/test\/gw: Istio \(networking\.istio\.io\/v1 Gateway\) cannot express a gateway implementation \(GatewayClass 'edge'\); Istio's own Gateway selects its ingress pods/);
    expect(gw({ implementation: GatewayImplementation.fromClassName('envoy') })).toThrow(/cannot express a gateway implementation \(GatewayClass 'envoy'\)/);
    expect(gw({ implementation: GatewayImplementation.istio() })).not.toThrow();
  });

  test('a retry budget on Istio\'s ingress', () => {
    expect(route({ rules: [{ backends: api, retries: { budget: {} } }] })).toThrow(/test\/route: Istio .* cannot express a retry budget/);
  });

  test('an empty Istio selector and a bad name', () => {
    expect(gw({ istioSelector: {} })).toThrow(/'istioSelector' \(\{\}\) must be non-empty/);
    expect(gw({ name: 'Edge' })).toThrow(/test\/gw: 'name' \("Edge"\) must be a DNS-1123 label/);
  });

  test('a cert-manager certificate that covers no name, at synth', () => {
    const c = chart('shop');
    new IngressGateway(c, 'gw', {
      mesh: meshOf('istio'),
      listeners: [GatewayListener.https({ certificate: TlsCertificate.certManager({ secretName: 'tls', issuerName: 'le' }) })],
    });
    expect(() => Testing.synth(c)).toThrow(/test\/gw: the cert-manager certificate of listener 'https' covers no DNS name/);
  });

  test('a certificate in another namespace from a gateway without one', () => {
    expect(() => new IngressGateway(chart(), 'gw', {
      mesh: meshOf('istio'),
      listeners: [GatewayListener.https({ certificate: TlsCertificate.fromSecret('tls', { namespace: 'certs' }) })],
    })).toThrow(/test\/gw: 'namespace' \(undefined\) must be set \(or the chart's\) because listeners\[0\] takes its certificate from namespace 'certs'/);
  });
});
