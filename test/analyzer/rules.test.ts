/**
 * Every analyzer rule (docs/analyzer.md) with a program that triggers it and one that does not.
 * Upstream meaning of each code: ../shared/reference/istio-analyze-codes.md (istio/istio
 * pkg/config/analysis/msg/messages.yaml) and kiali-codes.md (kiali/kiali models/istio_validation.go);
 * credential lookup in the gateway workload's namespace: istio/istio pilot/pkg/model/credentials;
 * Linkerd annotation durations: ../shared/reference/upstream-semantics.md (Linkerd).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing, Yaml } from 'cdk8s';
import { CanaryRelease, CanaryVersion, IstioRoutingApi, Mesh, MeshAnalyzer, MeshAnalyzerPlugin, MeshProvider } from '../../src';
import { RULES, analyzeObjects, K8sObject } from '../../src/analyzer/rules';

const svc = (name: string, ns = 'shop', ports: any[] = [{ name: 'http', port: 80 }], selector: Record<string, string> = { app: name }): K8sObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports } });
const deploy = (name: string, labels: Record<string, string>, ns = 'shop'): K8sObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { template: { metadata: { labels } } } });
const vs = (name: string, spec: any, ns = 'shop'): K8sObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns }, spec });
const dr = (name: string, spec: any, ns = 'shop'): K8sObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns }, spec });
const httpRoute = (name: string, spec: any, ns = 'shop'): K8sObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: ns }, spec });
const gwapiGateway = (name: string, listeners: any[], ns = 'edge'): K8sObject =>
  ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace: ns }, spec: { gatewayClassName: 'istio', listeners } });
const reviews = [svc('reviews'), deploy('reviews-v1', { app: 'reviews', version: 'v1' }), deploy('reviews-v2', { app: 'reviews', version: 'v2' })];
const subsets = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }];

/** Per rule: objects that trigger it, and objects that do not. */
const CASES: Record<string, { triggers: K8sObject[]; clean: K8sObject[]; message: RegExp }> = {
  IST0101: {
    triggers: [...reviews, httpRoute('r', { parentRefs: [{ kind: 'Service', group: '', name: 'reviews' }], rules: [{ backendRefs: [{ name: 'reviws', port: 80 }] }] })],
    clean: [...reviews, httpRoute('r', { parentRefs: [{ kind: 'Service', group: '', name: 'reviews' }], rules: [{ backendRefs: [{ name: 'reviews', port: 80 }] }] })],
    message: /sends to Service shop\/reviws, which this program does not declare/,
  },
  IST0109: {
    triggers: [...reviews, vs('a', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }),
      vs('b', { hosts: ['reviews.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reviews' } }] }] })],
    clean: [...reviews, vs('a', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }),
      vs('b', { hosts: ['reviews.example.com'], gateways: ['edge/gw'], http: [{ route: [{ destination: { host: 'reviews' } }] }] })],
    message: /second VirtualService for mesh host/,
  },
  IST0130: {
    triggers: [...reviews, vs('a', { hosts: ['reviews'], http: [{ name: 'all', route: [{ destination: { host: 'reviews' } }] }, { name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews' } }] }] })],
    clean: [...reviews, vs('a', { hosts: ['reviews'], http: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews' } }] }, { name: 'all', route: [{ destination: { host: 'reviews' } }] }] })],
    message: /route 'jason' comes after route #0, which matches every request/,
  },
  IST0118: {
    triggers: [svc('reviews', 'shop', [{ name: 'web', port: 80 }]), vs('a', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] })],
    clean: [svc('reviews', 'shop', [{ name: 'web', port: 80, appProtocol: 'http' }]), vs('a', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] })],
    message: /port 80 \('web'\) carries L7 routing but names no protocol/,
  },
  IST0127: {
    triggers: [...reviews, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'ratings' } }, mtls: { mode: 'STRICT' } } }],
    clean: [...reviews, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'reviews' } }, mtls: { mode: 'STRICT' } } }],
    message: /selector \{"app":"ratings"\} matches no workload of namespace shop/,
  },
  IST0161: {
    triggers: [
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'shop' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } }] } },
      deploy('istio-ingressgateway', { istio: 'ingressgateway' }, 'istio-ingress'),
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'shop-tls', namespace: 'shop' }, spec: { secretName: 'shop-tls' } },
    ],
    clean: [
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'shop' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } }] } },
      deploy('istio-ingressgateway', { istio: 'ingressgateway' }, 'istio-ingress'),
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'shop-tls', namespace: 'istio-ingress' }, spec: { secretName: 'shop-tls' } },
    ],
    message: /credentialName 'shop-tls' is looked up in the gateway workload's namespace istio-ingress, but the Secret\/Certificate is declared in shop/,
  },
  KIA1107: {
    triggers: [...reviews, dr('reviews', { host: 'reviews', subsets: [subsets[0]] }), vs('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] })],
    clean: [...reviews, dr('reviews', { host: 'reviews', subsets }), vs('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] })],
    message: /routes to subset 'v2' of host 'reviews', which its DestinationRule does not define \(it has: v1\)/,
  },
  KIA0203: {
    triggers: [...reviews, dr('reviews', { host: 'reviews', subsets: [...subsets, { name: 'v3', labels: { version: 'v3' } }] })],
    clean: [...reviews, dr('reviews', { host: 'reviews', subsets })],
    message: /subset 'v3' \(labels \{"version":"v3"\}\) selects no workload of Service shop\/reviews/,
  },
  KIA0201: {
    triggers: [...reviews, dr('a', { host: 'reviews', subsets }), dr('b', { host: 'reviews.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })],
    clean: [...reviews, dr('a', { host: 'reviews', subsets, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } })],
    message: /second DestinationRule for host/,
  },
  KIA0207: {
    triggers: [...reviews, dr('a', { host: 'reviews', trafficPolicy: { tls: { mode: 'DISABLE' } } }),
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } }],
    clean: [...reviews, dr('a', { host: 'reviews', trafficPolicy: { tls: { mode: 'DISABLE' } } }),
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'PERMISSIVE' } } }],
    message: /disables mTLS towards shop\/reviews, but PeerAuthentication shop\/default requires it/,
  },
  KIA1401: {
    triggers: [...reviews, gwapiGateway('edge', [{ name: 'https', port: 443, protocol: 'HTTPS' }], 'shop'),
      httpRoute('r', { parentRefs: [{ name: 'edge', sectionName: 'http' }], rules: [{ backendRefs: [{ name: 'reviews', port: 80 }] }] })],
    clean: [...reviews, gwapiGateway('edge', [{ name: 'https', port: 443, protocol: 'HTTPS' }], 'shop'),
      httpRoute('r', { parentRefs: [{ name: 'edge', sectionName: 'https' }], rules: [{ backendRefs: [{ name: 'reviews', port: 80 }] }] })],
    message: /attaches to listener 'http' of Gateway shop\/edge, which has no such listener/,
  },
  GW0001: {
    triggers: [...reviews, httpRoute('r', {
      parentRefs: [{ kind: 'Service', group: '', name: 'reviews' }],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'reviews', port: 80 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'reviews', port: 80 }] },
      ],
    })],
    clean: [...reviews, httpRoute('r', {
      parentRefs: [{ kind: 'Service', group: '', name: 'reviews' }],
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'reviews', port: 80 }] },
        { backendRefs: [{ name: 'reviews', port: 80 }] },
      ],
    })],
    message: /rule #1 repeats a match of rule #0/,
  },
  GW0002: {
    triggers: [gwapiGateway('edge', [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'tls', namespace: 'certs' }] } }])],
    clean: [gwapiGateway('edge', [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'tls', namespace: 'certs' }] } }]),
      { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'edge', namespace: 'certs' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge' }], to: [{ group: '', kind: 'Secret' }] } }],
    message: /uses Secret certs\/tls without a ReferenceGrant in certs/,
  },
  LKD0001: {
    triggers: [{ ...httpRoute('r', { parentRefs: [], rules: [] }), metadata: { name: 'r', namespace: 'shop', annotations: { 'retry.linkerd.io/timeout': '1m30s' } } }],
    clean: [{ ...httpRoute('r', { parentRefs: [], rules: [] }), metadata: { name: 'r', namespace: 'shop', annotations: { 'retry.linkerd.io/timeout': '90s' } } }],
    message: /annotation retry.linkerd.io\/timeout: '1m30s' is not one integer and one unit/,
  },
};

describe('analyzer rules: each triggers on its program and not on the corrected one', () => {
  test('every rule of the catalogue has a case here', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map(r => r.id).sort());
  });

  for (const rule of RULES) {
    test(`${rule.id} ${rule.name} (${rule.level})`, () => {
      const { triggers, clean, message } = CASES[rule.id];
      const found = analyzeObjects(triggers).filter(f => f.rule === rule.id);
      expect(found.map(f => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
      expect(found.every(f => f.fix.length > 0 && f.object.length > 0)).toBe(true);
      expect(analyzeObjects(clean)).toEqual([]);
    });
  }
});

describe('the analyzer runs over each chart at synthesis', () => {
  const release = (c: Chart) => new CanaryRelease(c, 'reviews', {
    mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }),
    serviceName: 'reviews',
    port: 9080,
    stable: CanaryVersion.deploy({ name: 'v1', image: 'r:1' }),
    canary: CanaryVersion.deploy({ name: 'v2', image: 'r:2' }),
    steps: [10, 100],
    currentStep: 0,
  });

  test('an error fails synthesis, naming the rule, the object and the fix, also for hand-written objects', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'bookinfo' });
    release(c);
    // a second VirtualService for the same host, added by hand
    new ApiObject(c, 'extra', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews-extra' }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] } });
    expect(() => Testing.synth(c)).toThrow(/IST0109 VirtualService bookinfo\/reviews-extra: is the second VirtualService for mesh host 'reviews'.*put every route of the host into one VirtualService/);
  });

  test('an acknowledged rule is not reported', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'bookinfo' });
    release(c);
    new ApiObject(c, 'extra', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews-extra' }, spec: { hosts: ['reviews.example.com'], gateways: ['edge/gw'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] } });
    expect(() => Testing.synth(c)).toThrow(/KIA1107/);
    MeshAnalyzer.acknowledge(c, 'KIA1107', 'subset v3 is deployed by another team');
    expect(() => Testing.synth(c)).not.toThrow();
  });

  test('warnings are recorded as cdk8s-mesh/analyzer metadata on the object\'s construct, not printed', () => {
    const c = new Chart(Testing.app(), 'test', { namespace: 'bookinfo' });
    release(c);
    const spy = jest.spyOn(console, 'warn');
    new ApiObject(c, 'policy', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p' }, spec: { selector: { matchLabels: { app: 'ratings' } } } });
    Testing.synth(c);
    expect(spy).not.toHaveBeenCalled();
    const findings = MeshAnalyzer.findings(c);
    expect(findings).toEqual([expect.objectContaining({ rule: 'IST0127', level: 'warning', object: 'AuthorizationPolicy bookinfo/p' })]);
    const policy = c.node.findChild('policy');
    expect(policy.node.metadata.map(m => m.type)).toContain('cdk8s-mesh/analyzer');
  });
});

describe('the analyzer as a cdk8s validation plugin', () => {
  /** cdk8s-cli's ValidationContext, reduced to what the plugin uses. */
  function context(manifests: string[]) {
    const violations: any[] = [];
    let status: string | undefined;
    return {
      manifests,
      report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => { status = s; } },
      logger: { log: () => undefined },
      get result() { return { violations, status }; },
    };
  }

  function write(objects: K8sObject[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-plugin-'));
    const file = path.join(dir, 'app.k8s.yaml');
    fs.writeFileSync(file, Yaml.stringify(...objects));
    return file;
  }

  test('reports a seeded mistake in any YAML as a failing violation with the rule, object and fix', async () => {
    const file = write(CASES.KIA1107.triggers);
    const ctx = context([file]);
    await new MeshAnalyzerPlugin().validate(ctx);
    expect(ctx.result.status).toBe('failure');
    expect(ctx.result.violations).toEqual([expect.objectContaining({
      ruleName: 'KIA1107 (error)',
      recommendation: expect.stringMatching(/^VirtualService shop\/reviews: routes to subset 'v2'/),
      violatingResources: [{ resourceName: 'VirtualService shop/reviews', locations: [], manifestPath: file }],
    })]);
  });

  test('passes clean YAML; warnings fail only with failOnWarnings; acknowledged rules are not reported', async () => {
    const clean = context([write(CASES.KIA1107.clean)]);
    await new MeshAnalyzerPlugin().validate(clean);
    expect(clean.result).toEqual({ violations: [], status: 'success' });
    const warning = write(CASES.IST0127.triggers);
    const lenient = context([warning]);
    await new MeshAnalyzerPlugin().validate(lenient);
    expect(lenient.result.status).toBe('success');
    expect(lenient.result.violations).toHaveLength(1);
    const strict = context([warning]);
    await new MeshAnalyzerPlugin({ failOnWarnings: true }).validate(strict);
    expect(strict.result.status).toBe('failure');
    const acknowledged = context([warning]);
    await new MeshAnalyzerPlugin({ failOnWarnings: true, acknowledge: ['IST0127'] }).validate(acknowledged);
    expect(acknowledged.result).toEqual({ violations: [], status: 'success' });
  });
});

describe('GW0003 FieldNotHonoured: fields the targeted releases do not serve or honour, in routes written by hand', () => {
  // Linkerd 2.17–2.20 honour only Gateway API v1.2.1's fields and ignore a route with newer ones
  // (the version profiles, docs/versions.md); rules[].name is standard from v1.4.
  const meshRoute = (rules: any[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'ratings' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'ratings', port: 9080 }], rules },
  });
  function program(provider: MeshProvider, rules: any[]) {
    const c = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    new CanaryRelease(c, 'reviews', {
      mesh: Mesh.fromAttributes({ provider }),
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'reviews:1' }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'reviews:2' }),
    });
    new ApiObject(c, 'by-hand', meshRoute(rules));
    return c;
  }

  test('a rule name in a hand-written mesh route on Linkerd 2.18: an error naming the release that adds it', () => {
    const c = program(MeshProvider.linkerd(), [{ name: 'all', backendRefs: [{ name: 'ratings', port: 9080 }] }]);
    expect(() => Testing.synth(c)).toThrow(/GW0003 HTTPRoute shop\/ratings: uses rules\[\]\.name \(HTTPRoute rules\[\]\.name, in Gateway API v1\.4 \(experimental channel: v1\.2\)\); the target is Gateway API v1\.2 \(standard channel\)/);
  });

  test('the same route without the name, or on Istio 1.31 (Gateway API v1.6), is fine', () => {
    expect(() => Testing.synth(program(MeshProvider.linkerd(), [{ backendRefs: [{ name: 'ratings', port: 9080 }] }]))).not.toThrow();
    const istio = program(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }), [{ name: 'all', backendRefs: [{ name: 'ratings', port: 9080 }] }]);
    expect(() => Testing.synth(istio)).not.toThrow();
    expect(MeshAnalyzer.findings(istio).filter(f => f.rule === 'GW0003')).toEqual([]);
  });

  test('without mesh constructs in the chart (the plugin on plain YAML) there is no target to judge against', () => {
    expect(analyzeObjects([meshRoute([{ name: 'all', backendRefs: [{ name: 'ratings', port: 9080 }] }])]).filter(f => f.rule === 'GW0003')).toEqual([]);
  });
});

test('KIA0207 reads a subset\'s own TLS too (CanaryVersion.withTrafficPolicy)', () => {
  const strict = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } };
  const withSubsetTls = (mode: string) => [...reviews, strict,
    dr('reviews', { host: 'reviews', subsets: [subsets[0], { ...subsets[1], trafficPolicy: { tls: { mode } } }] })];
  expect(analyzeObjects(withSubsetTls('DISABLE')).map(f => [f.rule, f.message])).toEqual([
    ['KIA0207', expect.stringMatching(/disables mTLS towards shop\/reviews \(subset 'v2'\), but PeerAuthentication shop\/default requires it/)],
  ]);
  expect(analyzeObjects(withSubsetTls('ISTIO_MUTUAL'))).toEqual([]);
});
