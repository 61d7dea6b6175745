import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AllowedRoutes, CanaryRelease, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, HeaderMatch, HttpRetryOn,
  IngressGateway, PathMatch, RequestMatch, ServiceHost, TlsCertificate,
} from '../../src';
import { chart, meshOf, one, ofKind, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

/** The seeds' bookinfo productpage paths. */
const PRODUCTPAGE_MATCHES = [
  RequestMatch.of({ path: PathMatch.exact('/productpage') }),
  RequestMatch.of({ path: PathMatch.prefix('/static') }),
  RequestMatch.of({ path: PathMatch.exact('/login') }),
  RequestMatch.of({ path: PathMatch.exact('/logout') }),
  RequestMatch.of({ path: PathMatch.prefix('/api/v1/products') }),
];

const validated: Record<string, any[]> = {};
function synth(name: string, c: ReturnType<typeof chart>): any[] {
  const out = Testing.synth(c);
  validated[name] = out;
  return out;
}

describe('GatewayRoute on Istio\'s API', () => {
  test('reproduces the seeds\' bookinfo gateway (HTTP) and its VirtualService', () => {
    const c = chart('bookinfo');
    const gateway = new IngressGateway(c, 'bookinfo-gateway', {
      mesh: meshOf('istio-v1beta1'),
      listeners: [GatewayListener.http({ hostname: 'bookinfo.example.com' })],
      allowedRoutes: AllowedRoutes.allNamespaces(),
    });
    new GatewayRoute(c, 'bookinfo', {
      gateway,
      hostnames: ['bookinfo.example.com'],
      rules: [{ matches: PRODUCTPAGE_MATCHES, backends: [GatewayBackend.service('productpage', 9080)] }],
    });
    const out = synth('istio-bookinfo-http', c);
    expect(one(out, 'Gateway')).toEqual({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'Gateway',
      metadata: { name: 'bookinfo-gateway', namespace: 'bookinfo' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['bookinfo.example.com'] }],
      },
    });
    expect(one(out, 'VirtualService')).toEqual({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'bookinfo', namespace: 'bookinfo' },
      spec: {
        hosts: ['bookinfo.example.com'],
        gateways: ['bookinfo-gateway'],
        http: [{
          match: [
            { uri: { exact: '/productpage' } },
            // the seeds' string prefixes, as whole segments (the same requests as Gateway API's PathPrefix)
            { uri: { exact: '/static' } },
            { uri: { prefix: '/static/' } },
            { uri: { exact: '/login' } },
            { uri: { exact: '/logout' } },
            { uri: { exact: '/api/v1/products' } },
            { uri: { prefix: '/api/v1/products/' } },
          ],
          route: [{ destination: { host: 'productpage', port: { number: 9080 } } }],
        }],
      },
    });
    expect(out).toHaveLength(2);
  });

  test('reproduces the seeds\' HTTPS gateway with credentialName: bookinfo-cert', () => {
    const c = chart('bookinfo');
    new IngressGateway(c, 'bookinfo-gateway', {
      mesh: meshOf('istio'),
      listeners: [GatewayListener.https({ hostname: 'bookinfo.example.com', certificate: TlsCertificate.fromSecret('bookinfo-cert') })],
      allowedRoutes: AllowedRoutes.allNamespaces(),
    });
    const out = synth('istio-bookinfo-https', c);
    expect(one(out, 'Gateway').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        tls: { mode: 'SIMPLE', credentialName: 'bookinfo-cert' },
        hosts: ['bookinfo.example.com'],
      }],
    });
  });

  test('everything a rule can do: redirect, rewrite, headers, weights, timeouts, retries, HTTP->HTTPS', () => {
    const c = chart('shop');
    const gateway = new IngressGateway(c, 'edge', {
      mesh: meshOf('istio'),
      istioSelector: { app: 'edge-gateway' },
      listeners: [
        GatewayListener.http({ redirectToHttps: true }),
        GatewayListener.https({ certificate: TlsCertificate.certManager({ secretName: 'shop-tls', issuerName: 'letsencrypt' }) }),
      ],
    });
    new GatewayRoute(c, 'shop', {
      gateway,
      hostnames: ['shop.example.com', '*.shop.example.com'],
      rules: [
        { name: 'old', matches: [RequestMatch.pathPrefix('/old')], redirect: { path: '/new', statusCode: 302 } },
        {
          name: 'api',
          matches: [RequestMatch.of({ path: PathMatch.prefix('/api/v1'), headers: [HeaderMatch.exact('x-tenant', 'a')] })],
          rewrite: { pathPrefix: '/v1', hostname: 'api.internal' },
          requestHeaders: { set: { 'x-from': 'edge' }, add: { 'x-trace': '1' }, remove: ['cookie'] },
          responseHeaders: { remove: ['server'] },
          backends: [GatewayBackend.service('api', 8080, { weight: 80 }), GatewayBackend.service('api-next', 8080, { weight: 20 })],
          timeout: Duration.seconds(10),
          retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.GATEWAY_ERROR] },
        },
        { name: 'web', backends: [GatewayBackend.service('web', 80, { namespace: 'frontend' })], rewrite: { fullPath: '/index.html' } },
      ],
    });
    const out = synth('istio-full', c);
    expect(one(out, 'Gateway').spec).toEqual({
      selector: { app: 'edge-gateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['./*'], tls: { httpsRedirect: true } },
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['./*'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } },
      ],
    });
    expect(one(out, 'Certificate')).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'shop-tls', namespace: 'istio-system' }, // beside the gateway pods, where Istio reads credentialName
      spec: {
        secretName: 'shop-tls',
        dnsNames: ['*.shop.example.com', 'shop.example.com'],
        issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      },
    });
    const vs = one(out, 'VirtualService');
    expect(vs.spec.gateways).toEqual(['edge']);
    expect(vs.spec.http).toEqual([
      { name: 'old', match: [{ uri: { exact: '/old' } }, { uri: { prefix: '/old/' } }], redirect: { uri: '/new', redirectCode: 302 } },
      // A prefix rewrite after a segment prefix match is two routes: `/api/v1` becomes `/v1`, and
      // `/api/v1/x` becomes `/v1/x` (Istio replaces the matched `/api/v1/`, slash included).
      ...[['api', '/api/v1', 'exact', '/v1'], ['api-subpaths', '/api/v1/', 'prefix', '/v1/']].map(([name, path, kind, uri]) => ({
        name,
        match: [{ uri: { [kind]: path }, headers: { 'x-tenant': { exact: 'a' } } }],
        route: [
          { destination: { host: 'api', port: { number: 8080 } }, weight: 80 },
          { destination: { host: 'api-next', port: { number: 8080 } }, weight: 20 },
        ],
        rewrite: { uri, authority: 'api.internal' },
        headers: {
          request: { set: { 'x-from': 'edge' }, add: { 'x-trace': '1' }, remove: ['cookie'] },
          response: { remove: ['server'] },
        },
        retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error' },
        timeout: '10s',
      })),
      {
        name: 'web',
        route: [{ destination: { host: 'web.frontend.svc.cluster.local', port: { number: 80 } } }],
        rewrite: { uriRegexRewrite: { match: '^/.*$', rewrite: '/index.html' } },
      },
    ]);
    // Istio needs no ReferenceGrant: the FQDN reaches the other namespace.
    expect(ofKind(out, 'ReferenceGrant')).toEqual([]);
  });

  test('a CanaryRelease backend splits at the gateway through the release\'s subsets', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    const gateway = new IngressGateway(c, 'gw', { mesh: meshOf('istio'), listeners: [GatewayListener.http()] });
    new GatewayRoute(c, 'reviews-route', {
      gateway,
      rules: [
        { matches: [RequestMatch.pathPrefix('/reviews')], backends: [GatewayBackend.canary(release)] },
        { backends: [GatewayBackend.host(release)] },
      ],
    });
    const out = synth('istio-canary-backend', c);
    const vs = one(out, 'VirtualService', 'reviews-route');
    expect(vs.spec.hosts).toEqual(['*']);
    expect(vs.spec.http[0].route).toEqual([
      { destination: { host: 'reviews', subset: 'v1', port: { number: 9080 } }, weight: 90 },
      { destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } }, weight: 10 },
    ]);
    expect(vs.spec.http[1].route).toEqual([{ destination: { host: 'reviews', port: { number: 9080 } } }]);
  });

  test('a cdk8s-plus Service backend: its name, namespace and first port', () => {
    const c = chart('shop');
    const web = new kplus.Service(c, 'web', { metadata: { name: 'web', namespace: 'frontend' }, ports: [{ port: 8080 }] });
    const gateway = new IngressGateway(c, 'gw', { mesh: meshOf('istio'), listeners: [GatewayListener.http()] });
    new GatewayRoute(c, 'web-route', { gateway, rules: [{ backends: [GatewayBackend.fromService(web)] }] });
    const out = synth('istio-kplus-service', c);
    expect(one(out, 'VirtualService').spec.http[0].route).toEqual([{ destination: { host: 'web.frontend.svc.cluster.local', port: { number: 8080 } } }]);
  });

  test('TLS passthrough: a VirtualService tls route by SNI', () => {
    const c = chart('db');
    const gateway = new IngressGateway(c, 'gw', {
      mesh: meshOf('istio'),
      listeners: [GatewayListener.http(), GatewayListener.tlsPassthrough({ port: 8443 })],
    });
    new GatewayRoute(c, 'pg', { gateway, listener: 'tls', hostnames: ['pg.example.com'], rules: [{ backends: [GatewayBackend.service('pg', 5432)] }] });
    const out = synth('istio-passthrough', c);
    expect(one(out, 'Gateway').spec.servers[1]).toEqual({ port: { number: 8443, name: 'tls', protocol: 'TLS' }, hosts: ['./*'], tls: { mode: 'PASSTHROUGH' } });
    expect(one(out, 'VirtualService').spec).toEqual({
      hosts: ['pg.example.com'],
      gateways: ['gw'],
      tls: [{ match: [{ sniHosts: ['pg.example.com'], port: 8443 }], route: [{ destination: { host: 'pg', port: { number: 5432 } } }] }],
    });
  });

  test('a route on one of several HTTP listeners matches that listener\'s port', () => {
    const c = chart('shop');
    const gateway = new IngressGateway(c, 'gw', {
      mesh: meshOf('istio'),
      listeners: [GatewayListener.http(), GatewayListener.http({ name: 'admin', port: 8080 })],
    });
    new GatewayRoute(c, 'admin', { gateway, listener: 'admin', rules: [{ backends: [GatewayBackend.service('admin', 80)] }] });
    const out = synth('istio-listener-port', c);
    expect(one(out, 'VirtualService').spec.http[0].match).toEqual([{ port: 8080 }]);
  });
});

describe('GatewayRoute on Gateway API', () => {
  test('reproduces the seeds\' Gateway API example: HTTPS listener, allowedRoutes by selector, /reviews 90/10', () => {
    const c = chart('bookinfo');
    const gateway = new IngressGateway(c, 'bookinfo-gateway', {
      mesh: meshOf('istio-gateway-api'),
      implementation: GatewayImplementation.withController('istio', 'istio.io/gateway-controller'),
      listeners: [GatewayListener.https({ certificate: TlsCertificate.fromSecret('bookinfo-tls') })],
      allowedRoutes: AllowedRoutes.namespacesWithLabels({ expose: 'true' }),
    });
    new GatewayRoute(c, 'bookinfo-route', {
      gateway,
      hostnames: ['bookinfo.example.com'],
      rules: [{
        matches: [RequestMatch.pathPrefix('/reviews')],
        backends: [GatewayBackend.service('reviews', 9080, { weight: 90 }), GatewayBackend.service('reviews-v2', 9080, { weight: 10 })],
      }],
    });
    const out = synth('gateway-api-seed', c);
    expect(one(out, 'GatewayClass')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'istio' },
      spec: { controllerName: 'istio.io/gateway-controller' },
    });
    expect(one(out, 'Gateway')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bookinfo-gateway', namespace: 'bookinfo' },
      spec: {
        gatewayClassName: 'istio',
        listeners: [{
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          tls: { mode: 'Terminate', certificateRefs: [{ name: 'bookinfo-tls' }] },
          allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { expose: 'true' } } } },
        }],
      },
    });
    expect(one(out, 'HTTPRoute')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'bookinfo-route', namespace: 'bookinfo' },
      spec: {
        parentRefs: [{ name: 'bookinfo-gateway' }],
        hostnames: ['bookinfo.example.com'],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/reviews' } }],
          backendRefs: [{ name: 'reviews', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }],
        }],
      },
    });
    expect(ofKind(out, 'ReferenceGrant')).toEqual([]);
  });

  test('cross-namespace backends and certificates get a ReferenceGrant per referrer and target namespace, named after the referrer', () => {
    const c = chart('shop');
    const mesh = meshOf('gateway-api');
    const gateway = new IngressGateway(c, 'edge', {
      mesh,
      namespace: 'ingress',
      implementation: GatewayImplementation.fromClassName('eg'),
      allowedRoutes: AllowedRoutes.allNamespaces(),
      listeners: [
        GatewayListener.http({ redirectToHttps: true }),
        GatewayListener.https({ certificate: TlsCertificate.fromSecret('shop-tls', { namespace: 'certs' }) }),
      ],
    });
    new GatewayRoute(c, 'shop', {
      gateway,
      hostnames: ['shop.example.com'],
      rules: [
        { matches: [RequestMatch.pathPrefix('/api')], backends: [GatewayBackend.service('api', 8080, { namespace: 'backend' })] },
        { backends: [GatewayBackend.host(ServiceHost.fromAttributes({ mesh, serviceName: 'web', namespace: 'backend', port: 80 }))] },
      ],
    });
    new GatewayRoute(c, 'admin', {
      gateway,
      namespace: 'ops',
      hostnames: ['admin.example.com'],
      rules: [{ backends: [GatewayBackend.service('api', 8080, { namespace: 'backend' })] }],
    });
    const out = synth('gateway-api-cross-namespace', c);
    const grants = ofKind(out, 'ReferenceGrant');
    // A grant's `from` names no object, so each referrer gets its own, named after it: two routes
    // (or two charts) never emit the same grant, and deleting a route deletes only its grants.
    const grant = (name: string, namespace: string, kind: string, from: string, to: [string, string][]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name, namespace },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind, namespace: from }], to: to.map(([k, n]) => ({ group: '', kind: k, name: n })) },
    });
    expect(grants).toEqual([
      grant('from-gateway-ingress-edge', 'certs', 'Gateway', 'ingress', [['Secret', 'shop-tls']]),
      grant('from-httproute-shop-shop', 'backend', 'HTTPRoute', 'shop', [['Service', 'api'], ['Service', 'web']]),
      grant('from-httproute-ops-admin', 'backend', 'HTTPRoute', 'ops', [['Service', 'api']]),
    ]);
    const gw = one(out, 'Gateway');
    expect(gw.metadata.namespace).toBe('ingress');
    expect(gw.spec.listeners[1].tls).toEqual({ mode: 'Terminate', certificateRefs: [{ name: 'shop-tls', namespace: 'certs' }] });
    const route = one(out, 'HTTPRoute', 'shop');
    // The http listener redirects, so the route names the listener it routes on.
    expect(route.spec.parentRefs).toEqual([{ name: 'edge', namespace: 'ingress', sectionName: 'https' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'api', namespace: 'backend', port: 8080 }]);
    expect(one(out, 'HTTPRoute', 'edge-http-https-redirect').spec).toEqual({
      parentRefs: [{ name: 'edge', sectionName: 'http' }],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
  });

  test('filters: redirect, URL rewrite, request and response headers, timeout', () => {
    const c = chart('shop');
    const gateway = new IngressGateway(c, 'gw', {
      mesh: meshOf('gateway-api'),
      implementation: GatewayImplementation.fromClassName('eg'),
      listeners: [GatewayListener.http()],
    });
    new GatewayRoute(c, 'shop', {
      gateway,
      rules: [
        { matches: [RequestMatch.pathPrefix('/old')], redirect: { path: '/new', hostname: 'www.example.com', scheme: 'https', port: 443 } },
        {
          matches: [RequestMatch.pathPrefix('/api/v1')],
          rewrite: { pathPrefix: '/v1' },
          requestHeaders: { set: { 'x-b': '2', 'x-a': '1' }, remove: ['cookie'] },
          responseHeaders: { add: { 'x-served-by': 'edge' } },
          backends: [GatewayBackend.service('api', 8080)],
          timeout: Duration.seconds(5),
        },
      ],
    });
    const out = synth('gateway-api-filters', c);
    expect(one(out, 'HTTPRoute').spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
        filters: [{
          type: 'RequestRedirect',
          requestRedirect: { scheme: 'https', hostname: 'www.example.com', path: { type: 'ReplaceFullPath', replaceFullPath: '/new' }, port: 443, statusCode: 301 },
        }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api/v1' } }],
        filters: [
          { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v1' } } },
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }, { name: 'x-b', value: '2' }], remove: ['cookie'] } },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-served-by', value: 'edge' }] } },
        ],
        backendRefs: [{ name: 'api', port: 8080 }],
        timeouts: { request: '5s' },
      },
    ]);
  });

  test('a CanaryRelease backend splits at the gateway through the per-version Services', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio-gateway-api'));
    const gateway = new IngressGateway(c, 'gw', { mesh: meshOf('istio-gateway-api'), listeners: [GatewayListener.http()] });
    new GatewayRoute(c, 'reviews-route', { gateway, rules: [{ backends: [GatewayBackend.canary(release)] }] });
    const out = synth('gateway-api-canary-backend', c);
    expect(one(out, 'Gateway').spec.gatewayClassName).toBe('istio');
    expect(one(out, 'HTTPRoute', 'reviews-route').spec.rules[0].backendRefs).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 90 },
      { name: 'reviews-v2', port: 9080, weight: 10 },
    ]);
  });

  test('TLS passthrough: a TLSRoute on the passthrough listener', () => {
    const c = chart('db');
    const gateway = new IngressGateway(c, 'gw', {
      mesh: meshOf('gateway-api'),
      implementation: GatewayImplementation.fromClassName('eg'),
      listeners: [GatewayListener.tlsPassthrough({ hostname: '*.example.com' })],
    });
    new GatewayRoute(c, 'pg', { gateway, listener: 'tls', hostnames: ['pg.example.com'], rules: [{ backends: [GatewayBackend.service('pg', 5432)] }] });
    const out = synth('gateway-api-passthrough', c);
    expect(one(out, 'Gateway').spec.listeners[0]).toEqual({
      name: 'tls', protocol: 'TLS', port: 443, hostname: '*.example.com', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'Same' } },
    });
    expect(one(out, 'TLSRoute')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'TLSRoute',
      metadata: { name: 'pg', namespace: 'db' },
      spec: { parentRefs: [{ name: 'gw', sectionName: 'tls' }], hostnames: ['pg.example.com'], rules: [{ backendRefs: [{ name: 'pg', port: 5432 }] }] },
    });
  });

  test('a GatewayClass created in a namespaced chart carries no namespace', () => {
    const c = chart('shop');
    new IngressGateway(c, 'gw', {
      mesh: meshOf('gateway-api'),
      implementation: GatewayImplementation.withController('eg', 'gateway.envoyproxy.io/gatewayclass-controller'),
      listeners: [GatewayListener.http()],
    });
    const out = synth('gateway-api-class', c);
    expect(one(out, 'GatewayClass').metadata).toEqual({ name: 'eg' });
  });
});

itValidates('everything these tests synthesize passes the upstream schemas', () => {
  expect(Object.keys(validated).length).toBeGreaterThanOrEqual(12);
  expectValid(validated);
});
