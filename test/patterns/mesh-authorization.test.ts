import { Testing } from 'cdk8s';
import {
  CanaryRelease, HttpMethod, IstioDataPlaneMode, Mesh, MeshAuthorization, MeshIdentity, MeshProvider, MeshWorkload, Peer, WorkloadSelector,
} from '../../src';
import { chart, meshOf, ofKind, one, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const reviewsPods = WorkloadSelector.labels({ app: 'reviews' }, { namespace: 'default', ports: [9080] });

/** The seeds' `reviews-viewer`: productpage's service account may GET /reviews/*. */
function reviewsViewer(provider: string) {
  const c = chart();
  new MeshAuthorization(c, 'reviews-viewer', {
    mesh: meshOf(provider),
    workload: reviewsPods,
    allow: [{ name: 'productpage-get', from: [Peer.serviceAccount('productpage', 'default')], methods: [HttpMethod.GET], paths: ['/reviews/*'] }],
  });
  return Testing.synth(c);
}

/** The seeds' `deny-admin`: nobody outside the `admin` namespace reaches /admin/*. */
function denyAdmin(provider: string) {
  const c = chart();
  new MeshAuthorization(c, 'deny-admin', {
    mesh: meshOf(provider),
    namespace: 'default',
    workload: WorkloadSelector.labels({ app: 'admin-api' }, { ports: [8080] }),
    denyByDefault: false,
    deny: [{ from: [Peer.outsideNamespaces(['admin'])], paths: ['/admin/*'] }],
  });
  return Testing.synth(c);
}

describe('MeshAuthorization on Istio', () => {
  test('the seeds\' reviews-viewer', () => {
    expect(reviewsViewer('istio')).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'reviews-viewer', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'reviews' } },
        action: 'ALLOW',
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/default/sa/productpage'] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/reviews/*'] } }],
        }],
      },
    }]);
  });

  test('the seeds\' deny-admin', () => {
    expect(denyAdmin('istio')).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-admin', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'admin-api' } },
        action: 'DENY',
        rules: [{ from: [{ source: { notNamespaces: ['admin'] } }], to: [{ operation: { paths: ['/admin/*'] } }] }],
      },
    }]);
  });

  test('deny by default for a namespace is an allow-nothing policy', () => {
    const c = chart('production');
    new MeshAuthorization(c, 'deny-all', { mesh: meshOf('istio') });
    expect(Testing.synth(c)).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-all', namespace: 'production' },
      spec: { action: 'ALLOW' },
    }]);
  });

  test('identities of workloads the library deploys, a custom trust domain, allow and deny together', () => {
    const c = chart('bookinfo');
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio({ trustDomain: 'prod.example.com' }) });
    const productpage = new MeshWorkload(c, 'productpage', { mesh, serviceName: 'productpage', version: 'v1', image: 'pp:1', port: 9080 });
    const release = new CanaryRelease(c, 'reviews', { ...reviewsCanary('istio'), mesh });
    new MeshAuthorization(c, 'reviews-viewer', {
      mesh,
      workload: release.workloadSelector,
      allow: [
        { from: [Peer.identity(productpage.identity), Peer.namespace('frontend')], methods: [HttpMethod.GET, HttpMethod.HEAD], paths: ['/reviews/*'] },
        { name: 'probes', paths: ['/health'], ports: [9080] },
      ],
      deny: [{ paths: ['*.php'] }],
    });
    const out = Testing.synth(c);
    const policies = ofKind(out, 'AuthorizationPolicy');
    expect(policies.map(p => [p.metadata.name, p.spec.action])).toEqual([['reviews-viewer', 'ALLOW'], ['reviews-viewer-deny', 'DENY']]);
    expect(policies[0].spec.selector).toEqual({ matchLabels: { app: 'reviews' } });
    expect(policies[0].spec.rules[0].from).toEqual([
      { source: { principals: ['prod.example.com/ns/bookinfo/sa/productpage-v1'] } },
      { source: { namespaces: ['frontend'] } },
    ]);
    expect(policies[0].spec.rules[1]).toEqual({ to: [{ operation: { paths: ['/health'], ports: ['9080'] } }] });
    expect(release.identity).toEqual(MeshIdentity.serviceAccount('reviews', 'bookinfo'));
  });

  test('JWT: a RequestAuthentication, and rules on request principals and claims', () => {
    const c = chart('production');
    new MeshAuthorization(c, 'api', {
      mesh: meshOf('istio'),
      workload: WorkloadSelector.labels({ app: 'api-server' }),
      jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', forwardOriginalToken: true },
      allow: [{ from: [Peer.jwt('https://auth.example.com')], claims: [{ claim: 'role', values: ['admin', 'editor'] }] }],
    });
    const out = Testing.synth(c);
    expect(one(out, 'RequestAuthentication').spec).toEqual({
      selector: { matchLabels: { app: 'api-server' } },
      jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', forwardOriginalToken: true }],
    });
    expect(one(out, 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { requestPrincipals: ['https://auth.example.com/*'] } }],
      when: [{ key: 'request.auth.claims[role]', values: ['admin', 'editor'] }],
    }]);
  });
});

test('Istio ambient: L4 rules only (ztunnel fails closed on L7 rules bound by selector)', () => {
  const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });
  expect(() => new MeshAuthorization(chart(), 'reviews-viewer', {
    mesh, workload: reviewsPods, allow: [{ from: [Peer.serviceAccount('productpage', 'default')], paths: ['/reviews/*'] }],
  })).toThrow(/^test\/reviews-viewer: Istio ambient \(security.istio.io\/v1\) cannot express L7 authorization rules \(paths\) on workloads selected by labels; ztunnel enforces them at L4/);
  const c = chart();
  new MeshAuthorization(c, 'reviews-viewer', { mesh, workload: reviewsPods, allow: [{ from: [Peer.serviceAccount('productpage', 'default')], ports: [9080] }] });
  expect(one(Testing.synth(c), 'AuthorizationPolicy').spec.rules).toEqual([{
    from: [{ source: { principals: ['cluster.local/ns/default/sa/productpage'] } }], to: [{ operation: { ports: ['9080'] } }],
  }]);
});

describe('MeshAuthorization on Linkerd', () => {
  test('the seeds\' reviews-viewer: Server, HTTPRoute, MeshTLSAuthentication, AuthorizationPolicy', () => {
    const out = reviewsViewer('linkerd');
    expect(out.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Server/reviews-viewer-9080',
      'MeshTLSAuthentication/reviews-viewer-productpage-get',
      'HTTPRoute/reviews-viewer-productpage-get',
      'AuthorizationPolicy/reviews-viewer-productpage-get',
    ]);
    expect(one(out, 'Server').spec).toEqual({ podSelector: { matchLabels: { app: 'reviews' } }, port: 9080 });
    expect(one(out, 'MeshTLSAuthentication').spec).toEqual({ identityRefs: [{ kind: 'ServiceAccount', name: 'productpage', namespace: 'default' }] });
    expect(one(out, 'HTTPRoute')).toMatchObject({
      apiVersion: 'policy.linkerd.io/v1beta3',
      spec: {
        parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'reviews-viewer-9080' }],
        rules: [{ matches: [{ path: { type: 'RegularExpression', value: '^/reviews/.*$' }, method: 'GET' }] }],
      },
    });
    expect(one(out, 'AuthorizationPolicy').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'reviews-viewer-productpage-get' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'reviews-viewer-productpage-get' }],
    });
  });

  test('rules without methods or paths authorize the Server; any client is a NetworkAuthentication', () => {
    const c = chart('shop');
    new MeshAuthorization(c, 'cart', {
      mesh: meshOf('linkerd'),
      workload: WorkloadSelector.labels({ app: 'cart' }, { ports: [8080, 9090] }),
      allow: [
        { name: 'mesh', from: [Peer.namespace('shop'), Peer.authenticated()] },
        { name: 'scrape', ports: [9090] },
      ],
    });
    const out = Testing.synth(c);
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
    expect(one(out, 'MeshTLSAuthentication').spec).toEqual({ identities: ['*'] });
    expect(one(out, 'NetworkAuthentication').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] });
    expect(ofKind(out, 'AuthorizationPolicy').map(p => [p.metadata.name, p.spec.targetRef.name])).toEqual([
      ['cart-mesh-8080', 'cart-8080'], ['cart-mesh-9090', 'cart-9090'], ['cart-scrape-9090', 'cart-9090'],
    ]);
  });

  test.each([
    ['deny-admin (deny rules)', denyAdmin, /^test\/deny-admin: Linkerd 2.20 cannot express explicit deny rules; Linkerd authorization is allow-only.*\ntest\/deny-admin: Linkerd 2.20 cannot express clients outside namespaces \(Peer.outsideNamespaces\); list the clients that are allowed/],
  ])('capability error: %s', (_name, synth, message) => {
    expect(() => synth('linkerd')).toThrow(message);
  });

  test('capability errors: a whole namespace, JWT, suffix paths', () => {
    const mesh = meshOf('linkerd');
    expect(() => new MeshAuthorization(chart('prod'), 'deny-all', { mesh }))
      .toThrow('test/deny-all: Linkerd 2.20 cannot express authorization for a whole namespace; give the workload with its ports (e.g. release.workloadSelector, or WorkloadSelector.labels(labels, { ports })): Linkerd authorizes per Server, one pod port each');
    expect(() => new MeshAuthorization(chart('prod'), 'api', {
      mesh, workload: reviewsPods, jwt: { issuer: 'https://a', jwksUri: 'https://a/jwks' }, allow: [{ from: [Peer.jwt('https://a')] }],
    })).toThrow(/Linkerd 2.20 cannot express JWT authentication \(jwt; Peer.jwt\(\) in rule rule-0\); validate tokens in the application or at the ingress gateway, or use Istio/);
    expect(() => new MeshAuthorization(chart('prod'), 'static', { mesh, workload: reviewsPods, allow: [{ paths: ['*.js', '/api*'] }] }))
      .toThrow(/cannot express the paths "\*.js", "\/api\*"; HTTPRoute matches exact paths and whole path segments/);
  });
});

test('plain Gateway API: a capability error that names the alternative', () => {
  expect(() => reviewsViewer('gateway-api')).toThrow(
    'test/reviews-viewer: Gateway API (any GAMMA mesh) cannot express authorization policies (no standard API for them); choose the mesh (MeshProvider.istio() or MeshProvider.linkerd()), whose own API expresses them');
});

describe('rejected input', () => {
  const mesh = meshOf('istio');
  test.each([
    ['no namespace anywhere', {}, /'namespace' \(undefined\) must be set, or the workload's or the chart's namespace/],
    ['a bad name', { namespace: 'a', name: 'Bad' }, /'name' \("Bad"\) must be a DNS-1123 label/],
    ['a workload in another namespace', { namespace: 'a', workload: reviewsPods }, /'workload.namespace' \("default"\) must be the policy's namespace \(a\)/],
    ['a policy that does nothing', { namespace: 'a', denyByDefault: false }, /'allow\/deny' \(\[\]\) must be at least one rule when denyByDefault is false/],
    ['duplicate rule names', { namespace: 'a', allow: [{ name: 'x' }], deny: [{ name: 'x' }] }, /'rule name' \("x"\) must be unique in the policy/],
    ['a bad path', { namespace: 'a', allow: [{ paths: ['/a/*/b'] }] }, /'allow\[0\].paths\[0\]' \("\/a\/\*\/b"\) must be an exact path \(\/healthz\), a prefix \(\/reviews\/\*\), a suffix \(\*.js\) or \*/],
    ['a bad port', { namespace: 'a', allow: [{ ports: [0] }] }, /'allow\[0\].ports\[0\]' \(0\) must be an integer in 1..65535/],
    ['a port the workload does not serve', { workload: reviewsPods, allow: [{ ports: [1234] }] }, /'rule rule-0: ports' \(\[1234\]\) must be among the workload's ports \(9080\)/],
    ['a bad namespace peer', { namespace: 'a', allow: [{ from: [Peer.namespace('A')] }] }, /'allow\[0\].from\[0\]' \("A"\) must be a DNS-1123 label/],
    ['an empty outsideNamespaces', { namespace: 'a', deny: [{ from: [Peer.outsideNamespaces([])] }] }, /'deny\[0\].from\[0\]' \(\[\]\) must be at least one namespace/],
    ['Peer.jwt without jwt', { namespace: 'a', allow: [{ from: [Peer.jwt('https://a')] }] }, /'rule rule-0: Peer.jwt issuer' \("https:\/\/a"\) must be the issuer of 'jwt' \(not set\)/],
    ['claims without jwt', { namespace: 'a', allow: [{ claims: [{ claim: 'role', values: ['x'] }] }] }, /'rule rule-0: claims' .* must be used with 'jwt'/],
    ['a claim without values', { namespace: 'a', jwt: { issuer: 'i', jwksUri: 'https://i' }, allow: [{ claims: [{ claim: 'role', values: [] }] }] }, /'allow\[0\].claims\[0\].values' \(\[\]\) must be at least one value/],
    ['a jwks URI that is no URL', { namespace: 'a', jwt: { issuer: 'i', jwksUri: 'keys.json' } }, /'jwt.jwksUri' \("keys.json"\) must be an http:\/\/ or https:\/\/ URL/],
  ])('%s', (_name, props, message) => {
    expect(() => new MeshAuthorization(chart(), 'p', { mesh, ...(props as object) })).toThrow(message);
  });

  test('identities reject bad names', () => {
    expect(() => MeshIdentity.serviceAccount('Product_Page', 'default')).toThrow(/'name' \("Product_Page"\) must be a DNS-1123 subdomain/);
    expect(() => Peer.serviceAccount('productpage', 'Default')).toThrow(/'namespace' \("Default"\) must be a DNS-1123 label/);
  });
});

describe('seeds on every security provider, valid against the upstream schemas', () => {
  const outputs: Record<string, any[]> = {};
  for (const provider of ['istio', 'linkerd', 'linkerd-2-15']) {
    test(`reviews-viewer on ${provider}`, () => {
      outputs[`reviews-viewer-${provider}`] = reviewsViewer(provider);
    });
  }
  // The bundled CRDs are Linkerd's latest, where v1beta1 is deprecated; 2.14 serves no newer Server.
  test('Linkerd 2.14 gets the Server version it serves', () => {
    expect(one(reviewsViewer('linkerd-policy-2-14'), 'Server').apiVersion).toBe('policy.linkerd.io/v1beta1');
    expect(one(reviewsViewer('linkerd-2-15'), 'Server').apiVersion).toBe('policy.linkerd.io/v1beta2');
  });
  test('deny-admin on istio', () => {
    outputs['deny-admin-istio'] = denyAdmin('istio');
  });
  itValidates('all pass the validator', () => {
    expect(Object.keys(outputs)).toHaveLength(4);
    expectValid(outputs);
  });
});
