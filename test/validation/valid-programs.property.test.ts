/**
 * Issue 13, "must show": random VALID programs over every construct × every provider
 * configuration (PROVIDERS), each configuration asked only for what its capabilities say it can
 * express. Every program must synthesize, synthesize byte-identically a second time, hold the
 * invariants below, and (in batches) pass the upstream CRD and Kubernetes schemas.
 *
 * Seeded: the seed is printed; `FC_SEED=<n>` reproduces a run, `FC_RUNS=<n>` changes its size.
 */
import { Duration, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AllowedRoutes, CanaryRelease, CanaryVersion, CircuitBreaker, Condition, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute,
  HttpMethod, IngressGateway, LoadBalancer, MeshAuthorization, MeshWorkload, MtlsMode, MtlsStage, PathMatch, Peer, RequestMatch, RoutePolicy,
  RouteDestination, StrictMtlsMigration, TlsCertificate, TrafficRoutes,
} from '../../src';
import { Capabilities, capsOf, chart, meshOf, PROVIDERS, validationTargetOf } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const SEED = Number(process.env.FC_SEED ?? 13013);
const RUNS = Number(process.env.FC_RUNS ?? 2000);
/** Outputs per validator call (one validator process per distinct target within a call). */
const BATCH = 2000;

const NAMESPACES = ['shop', 'bookinfo', 'team-a'];
const SERVICES = ['reviews', 'cart', 'checkout-api', 'x', 'a'.repeat(40)];
const PORTS = [80, 3000, 8080, 9080];
const HOSTNAMES = ['shop.example.com', 'a.b.example.org', '*.example.net'];

/** A program's provider-independent choices; `build` keeps only what the configuration can express. */
interface Program {
  readonly provider: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly port: number;
  readonly targetPort?: number;
  readonly steps: number[];
  readonly currentStep: number;
  readonly matches: number[];
  readonly mirrorPercent?: number;
  readonly timeoutMs?: number;
  readonly retries: boolean;
  readonly policy?: { readonly matched: boolean; readonly timeoutMs: number };
  readonly breaker?: { readonly errors: number; readonly ejectionS: number; readonly maxConnections: number; readonly cookieLb: boolean };
  readonly mtls?: { readonly namespaces: string[]; readonly strictAt: number[]; readonly currentStage: number; readonly alert: boolean };
  readonly authz?: { readonly methods: HttpMethod[]; readonly paths: string[]; readonly apiVersions: string[]; readonly sourceIp: boolean };
  readonly ingress?: {
    readonly hostname: string; readonly https: boolean; readonly timeoutS?: number; readonly rewrite: boolean; readonly extraService: boolean;
  };
  readonly workload?: { readonly replicas: number; readonly version: string };
  /** a second host routed with TrafficRoutes: three versions, rules, a split default route */
  readonly routes?: {
    readonly v1Weight: number;
    readonly rules: number[];
    readonly splitRule: boolean;
    readonly mirror: boolean;
    readonly requestHeaders: boolean;
    readonly responseHeaders: boolean;
  };
}

const steps = fc.uniqueArray(fc.integer({ min: 0, max: 99 }), { maxLength: 5 }).map(s => [...s.sort((a, b) => a - b), 100]);

const program: fc.Arbitrary<Program> = fc.record({
  provider: fc.constantFrom(...Object.keys(PROVIDERS)),
  namespace: fc.constantFrom(...NAMESPACES),
  serviceName: fc.constantFrom(...SERVICES),
  port: fc.constantFrom(...PORTS),
  targetPort: fc.option(fc.constantFrom(8080, 9090), { nil: undefined }),
  steps,
  currentStep: fc.nat(),
  matches: fc.subarray([0, 1, 2, 3]),
  mirrorPercent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  timeoutMs: fc.option(fc.oneof(fc.integer({ min: 1, max: 600 }).map(s => s * 1000), fc.integer({ min: 1, max: 99_999 })), { nil: undefined }),
  retries: fc.boolean(),
  policy: fc.option(fc.record({ matched: fc.boolean(), timeoutMs: fc.integer({ min: 1, max: 120 }).map(s => s * 1000) }), { nil: undefined }),
  breaker: fc.option(fc.record({
    errors: fc.integer({ min: 1, max: 50 }),
    ejectionS: fc.integer({ min: 1, max: 300 }),
    maxConnections: fc.integer({ min: 1, max: 10_000 }),
    cookieLb: fc.boolean(),
  }), { nil: undefined }),
  mtls: fc.option(fc.record({
    namespaces: fc.subarray(['payments', 'orders', 'catalog'], { minLength: 1 }),
    // the stage at which each namespace turns STRICT (the plan always ends STRICT)
    strictAt: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
    currentStage: fc.integer({ min: 0, max: 3 }),
    alert: fc.boolean(),
  }), { nil: undefined }),
  authz: fc.option(fc.record({
    methods: fc.subarray([HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE]),
    paths: fc.subarray(['/api/*', '/health', '/reviews/*']),
    // a header condition (Istio `when`, Linkerd HTTPRoute header matches) and a source range
    apiVersions: fc.subarray(['v1', 'v2*', '*']),
    sourceIp: fc.boolean(),
  }), { nil: undefined }),
  ingress: fc.option(fc.record({
    hostname: fc.constantFrom(...HOSTNAMES),
    https: fc.boolean(),
    timeoutS: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
    rewrite: fc.boolean(),
    extraService: fc.boolean(),
  }), { nil: undefined }),
  workload: fc.option(fc.record({ replicas: fc.integer({ min: 1, max: 5 }), version: fc.constantFrom('v1', 'v2', 'stable') }), { nil: undefined }),
  routes: fc.option(fc.record({
    v1Weight: fc.integer({ min: 0, max: 100 }),
    rules: fc.subarray([0, 1, 2, 3]),
    splitRule: fc.boolean(),
    mirror: fc.boolean(),
    requestHeaders: fc.boolean(),
    responseHeaders: fc.boolean(),
  }), { nil: undefined }),
});

function requestMatch(i: number): RequestMatch {
  switch (i) {
    case 0: return RequestMatch.header('end-user', 'jason');
    case 1: return RequestMatch.cookie('canary', 'always');
    case 2: return RequestMatch.pathPrefix('/beta');
    default: return RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/checkout') });
  }
}

/** Only what the configuration can express; a RoutePolicy on the release's own routes needs none of the release's timeout/retries. */
function expressible(p: Program): Program {
  const caps: Capabilities = capsOf(p.provider);
  const policy = p.policy && caps.timeout && (p.policy.matched ? caps.requestMatches || p.provider.includes('smi') : p.timeoutMs === undefined && !p.retries)
    ? p.policy : undefined;
  const currentStep = p.currentStep % p.steps.length;
  const retries = p.retries && caps.retries !== undefined;
  return {
    ...p,
    currentStep,
    matches: caps.requestMatches ? p.matches : [],
    // nothing left to mirror at a step that sends everything to the canary (an input rule)
    mirrorPercent: caps.mirror && p.steps[currentStep] < 100 ? p.mirrorPercent : undefined,
    // a try may not outlast the request (an input rule)
    timeoutMs: caps.timeout && p.timeoutMs !== undefined
      ? Math.max(p.timeoutMs, retries ? caps.retries?.perTryTimeout?.toMilliseconds() ?? 0 : 0)
      : undefined,
    retries,
    policy,
    breaker: caps.circuitBreaker ? p.breaker : undefined,
    mtls: caps.security ? p.mtls : undefined,
    authz: caps.security ? p.authz : undefined,
    ingress: caps.ingressTimeout === false && p.ingress?.timeoutS !== undefined ? { ...p.ingress, timeoutS: undefined } : p.ingress,
    routes: p.routes && {
      ...p.routes,
      rules: caps.requestMatches ? p.routes.rules : [],
      mirror: p.routes.mirror && caps.mirror,
      // SMI changes no headers; Linkerd's own HTTPRoute kind changes request headers only
      requestHeaders: p.routes.requestHeaders && !p.provider.includes('smi'),
      responseHeaders: p.routes.responseHeaders && !p.provider.includes('smi') && !p.provider.startsWith('linkerd-policy'),
    },
  };
}

/** External Services a program routes to without deploying them. */
const EXTERNAL_SERVICES = ['static-site'];

function synth(p: Program): any[] {
  const caps = capsOf(p.provider);
  const c = chart(p.namespace);
  const mesh = meshOf(p.provider);
  const release = new CanaryRelease(c, 'release', {
    mesh,
    serviceName: p.serviceName,
    port: p.port,
    targetPort: p.targetPort,
    stable: CanaryVersion.deploy({ name: 'v1', image: `example/${p.serviceName}:1` }),
    canary: CanaryVersion.deploy({ name: 'v2', image: `example/${p.serviceName}:2` }),
    steps: p.steps,
    currentStep: p.currentStep,
    canaryMatches: p.matches.length ? p.matches.map(requestMatch) : undefined,
    mirrorPercent: p.mirrorPercent,
    timeout: p.timeoutMs !== undefined ? Duration.millis(p.timeoutMs) : undefined,
    retries: p.retries ? caps.retries : undefined,
  });
  if (p.policy) {
    new RoutePolicy(c, 'policy', {
      host: release,
      description: p.policy.matched ? 'POST /orders' : undefined,
      matches: p.policy.matched ? [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/orders') })] : undefined,
      timeout: Duration.millis(p.policy.timeoutMs),
    });
  }
  if (p.breaker) {
    const istio = caps.circuitBreaker === 'istio';
    new CircuitBreaker(c, 'breaker', {
      host: release,
      connectionPool: istio ? { maxConnections: p.breaker.maxConnections } : undefined,
      outlierDetection: {
        consecutive5xxErrors: p.breaker.errors,
        baseEjectionTime: Duration.seconds(p.breaker.ejectionS),
        // Linkerd's penalty is capped at 60s unless the maximum is raised too (an input rule)
        maxEjectionTime: istio ? undefined : Duration.seconds(Math.max(60, p.breaker.ejectionS)),
      },
      loadBalancer: istio && p.breaker.cookieLb ? LoadBalancer.consistentHashByCookie('session', Duration.minutes(30)) : undefined,
    });
  }
  if (p.mtls) {
    const m = p.mtls;
    const stages: MtlsStage[] = [0, 1, 2, 3].map(i => ({
      name: `stage-${i}`,
      namespaces: m.namespaces.map((namespace, k) => ({ namespace, mode: i >= m.strictAt[k] ? MtlsMode.STRICT : MtlsMode.PERMISSIVE })),
    }));
    new StrictMtlsMigration(c, 'migration', { mesh, stages, currentStage: m.currentStage, plaintextAlert: m.alert ? {} : undefined });
  }
  if (p.authz || p.workload) {
    const client = new MeshWorkload(c, 'client', {
      mesh, serviceName: 'client', version: p.workload?.version ?? 'v1', image: 'example/client:1', port: 8080, replicas: p.workload?.replicas,
    });
    if (p.authz) {
      new MeshAuthorization(c, 'authz', {
        mesh,
        workload: release.workloadSelector,
        allow: [{
          name: 'client',
          from: [Peer.identity(client.identity)],
          methods: p.authz.methods.length ? p.authz.methods : undefined,
          paths: p.authz.paths.length ? p.authz.paths : undefined,
          when: p.authz.apiVersions.length || p.authz.sourceIp ? [
            ...p.authz.apiVersions.length ? [Condition.header('x-api-version', p.authz.apiVersions)] : [],
            ...p.authz.sourceIp ? [Condition.sourceIp(['10.0.0.0/8', 'fd00::/8'])] : [],
          ] : undefined,
        }],
      });
    }
  }
  if (p.ingress) {
    const i = p.ingress;
    const https = i.https || i.hostname.startsWith('*');
    const gateway = new IngressGateway(c, 'gateway', {
      mesh,
      implementation: GatewayImplementation.istio(),
      allowedRoutes: AllowedRoutes.sameNamespace(),
      listeners: https
        ? [GatewayListener.https({ hostname: i.hostname, certificate: TlsCertificate.certManager({ secretName: 'site-tls', issuerName: 'letsencrypt' }) })]
        : [GatewayListener.http({ hostname: i.hostname })],
    });
    new GatewayRoute(c, 'route', {
      gateway,
      hostnames: [i.hostname],
      rules: [
        {
          name: 'app',
          matches: [RequestMatch.pathPrefix('/app')],
          rewrite: i.rewrite ? { pathPrefix: '/' } : undefined,
          backends: [GatewayBackend.canary(release)],
          timeout: i.timeoutS !== undefined ? Duration.seconds(i.timeoutS) : undefined,
        },
        ...(i.extraService ? [{ name: 'static', matches: [RequestMatch.pathPrefix('/static')], backends: [GatewayBackend.service(EXTERNAL_SERVICES[0], 80)] }] : []),
      ],
    });
  }
  if (p.routes) {
    const r = p.routes;
    new TrafficRoutes(c, 'catalog', {
      mesh,
      serviceName: 'catalog',
      port: 8080,
      versions: ['v1', 'v2', 'v3'].map(v => CanaryVersion.deploy({ name: v, image: `example/catalog:${v}` })),
      rules: r.rules.map((m, i) => ({
        matches: [requestMatch(m)],
        destination: r.splitRule && i === 0
          ? RouteDestination.weighted([{ version: 'v2', weight: 50 }, { version: 'v3', weight: 50 }])
          : RouteDestination.version(i % 2 === 0 ? 'v3' : 'v2'),
        requestHeaders: r.requestHeaders ? { set: { 'x-rule': String(i) }, remove: ['x-debug'] } : undefined,
      })),
      defaultRoute: {
        destination: RouteDestination.weighted([{ version: 'v1', weight: r.v1Weight }, { version: 'v2', weight: 100 - r.v1Weight }]),
        mirror: r.mirror ? { version: 'v3', percent: 100 } : undefined,
        responseHeaders: r.responseHeaders ? { add: { 'x-catalog': 'default' } } : undefined,
      },
    });
  }
  return Testing.synth(c);
}

// ---------------------------------------------------------------------------------------------
// invariants

const key = (o: any) => `${(o.apiVersion as string).includes('/') ? o.apiVersion.split('/')[0] : ''}|${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name}`;

/** `reviews`, `reviews.shop`, `reviews.shop.svc.cluster.local` → `shop/reviews`. */
function serviceOfHost(host: string, namespace: string): string {
  const [name, ns] = host.split('.');
  return `${ns ?? namespace}/${name}`;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Every broken invariant of one output, as lines (empty when it holds them all). */
function invariantProblems(out: any[], chartNamespace: string): string[] {
  const problems: string[] = [];
  const nsOf = (o: any) => o.metadata?.namespace ?? chartNamespace;
  const services = new Set(out.filter(o => o.kind === 'Service' && o.apiVersion === 'v1').map(o => `${nsOf(o)}/${o.metadata.name}`));
  for (const s of EXTERNAL_SERVICES) services.add(`${chartNamespace}/${s}`);
  const serviceAccounts = new Set(out.filter(o => o.kind === 'ServiceAccount').map(o => `${nsOf(o)}/${o.metadata.name}`));
  const secrets = new Set([
    ...out.filter(o => o.kind === 'Secret').map(o => `${nsOf(o)}/${o.metadata.name}`),
    ...out.filter(o => o.kind === 'Certificate').map(o => `${nsOf(o)}/${o.spec.secretName}`),
  ]);
  const needService = (what: string, ref: string) => {
    if (!services.has(ref)) problems.push(`${what} routes to Service ${ref}, which is neither in the output nor declared external`);
  };

  // (group, kind, namespace, name) unique
  const seen = new Map<string, number>();
  for (const o of out) seen.set(key(o), (seen.get(key(o)) ?? 0) + 1);
  for (const [k, n] of seen) if (n > 1) problems.push(`${n} objects share ${k}`);

  // names and labels within Kubernetes limits
  for (const o of out) {
    const name: string = o.metadata?.name ?? '';
    if (name.length === 0 || name.length > 253) problems.push(`${o.kind} name '${name}' is not 1..253 characters`);
    if (['Service', 'Namespace'].includes(o.kind) && name.length > 63) problems.push(`${o.kind} name '${name}' is longer than 63`);
    const labelSets = [o.metadata?.labels, o.spec?.template?.metadata?.labels, o.spec?.selector?.matchLabels].filter(Boolean);
    for (const labels of labelSets) {
      for (const [k, v] of Object.entries<string>(labels)) {
        const keyName = k.includes('/') ? k.split('/')[1] : k;
        if (keyName.length > 63) problems.push(`${o.kind}/${name}: label key '${k}' is longer than 63`);
        if (String(v).length > 63) problems.push(`${o.kind}/${name}: label '${k}' value '${v}' is longer than 63`);
      }
    }
  }

  // Istio: one VirtualService and one DestinationRule per host; subsets and Services exist; weights sum to 100
  const vsHosts = new Map<string, number>();
  const drByHost = new Map<string, any[]>();
  for (const vs of out.filter(o => o.kind === 'VirtualService')) {
    if (vs.spec.gateways?.length) continue; // ingress routes share hosts with the mesh's own
    for (const h of vs.spec.hosts ?? []) vsHosts.set(serviceOfHost(h, nsOf(vs)), (vsHosts.get(serviceOfHost(h, nsOf(vs))) ?? 0) + 1);
  }
  for (const dr of out.filter(o => o.kind === 'DestinationRule')) {
    const h = serviceOfHost(dr.spec.host, nsOf(dr));
    drByHost.set(h, [...(drByHost.get(h) ?? []), dr]);
  }
  for (const [h, n] of vsHosts) if (n > 1) problems.push(`${n} VirtualServices for host ${h}`);
  for (const [h, drs] of drByHost) if (drs.length > 1) problems.push(`${drs.length} DestinationRules for host ${h}`);
  for (const vs of out.filter(o => o.kind === 'VirtualService')) {
    (vs.spec.http ?? []).forEach((rule: any, i: number) => {
      const dests = [...(rule.route ?? []).map((r: any) => r.destination), ...(rule.mirror ? [rule.mirror] : [])];
      const weights = (rule.route ?? []).map((r: any) => r.weight).filter((w: any) => w !== undefined);
      if ((rule.route ?? []).length > 1 && sum(weights) !== 100) problems.push(`VirtualService/${vs.metadata.name} http[${i}] weights ${weights} do not sum to 100`);
      for (const d of dests) {
        const svc = serviceOfHost(d.host, nsOf(vs));
        needService(`VirtualService/${vs.metadata.name}`, svc);
        if (d.subset && !(drByHost.get(svc) ?? []).some(dr => (dr.spec.subsets ?? []).some((s: any) => s.name === d.subset))) {
          problems.push(`VirtualService/${vs.metadata.name} routes to subset ${d.subset} of ${svc}, which no DestinationRule defines`);
        }
      }
    });
  }

  // Gateway API: backends and parent Services exist, weights per rule sum to 100
  for (const route of out.filter(o => o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute')) {
    for (const parent of route.spec.parentRefs ?? []) {
      if (parent.kind === 'Service') needService(`${route.kind}/${route.metadata.name} (parent)`, `${parent.namespace ?? nsOf(route)}/${parent.name}`);
    }
    (route.spec.rules ?? []).forEach((rule: any, i: number) => {
      const refs = rule.backendRefs ?? [];
      const weights = refs.map((b: any) => b.weight ?? 1);
      if (refs.length > 1 && sum(weights) !== 100) problems.push(`${route.kind}/${route.metadata.name} rule ${i} weights ${weights} do not sum to 100`);
      const mirrors = (rule.filters ?? []).filter((f: any) => f.type === 'RequestMirror').map((f: any) => f.requestMirror.backendRef);
      for (const b of [...refs, ...mirrors]) {
        if ((b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '') needService(`${route.kind}/${route.metadata.name}`, `${b.namespace ?? nsOf(route)}/${b.name}`);
      }
    });
  }
  for (const gw of out.filter(o => o.kind === 'Gateway' && o.apiVersion.startsWith('gateway.networking.k8s.io'))) {
    for (const l of gw.spec.listeners ?? []) {
      for (const ref of l.tls?.certificateRefs ?? []) {
        const s = `${ref.namespace ?? nsOf(gw)}/${ref.name}`;
        if (!secrets.has(s)) problems.push(`Gateway/${gw.metadata.name} listener ${l.name} uses Secret ${s}, which nothing creates`);
      }
    }
  }
  for (const gw of out.filter(o => o.kind === 'Gateway' && o.apiVersion.startsWith('networking.istio.io'))) {
    for (const s of gw.spec.servers ?? []) {
      // an Istio Gateway's credentialName lives in the namespace of the gateway workload
      if (s.tls?.credentialName && ![...secrets].some(x => x.endsWith(`/${s.tls.credentialName}`))) {
        problems.push(`Gateway/${gw.metadata.name} uses Secret ${s.tls.credentialName}, which nothing creates`);
      }
    }
  }

  // SMI: backends exist, weights sum to 1000
  for (const ts of out.filter(o => o.kind === 'TrafficSplit')) {
    const weights = ts.spec.backends.map((b: any) => b.weight);
    if (sum(weights) !== 1000) problems.push(`TrafficSplit/${ts.metadata.name} weights ${weights} do not sum to 1000`);
    needService(`TrafficSplit/${ts.metadata.name}`, `${nsOf(ts)}/${ts.spec.service}`);
    for (const b of ts.spec.backends) needService(`TrafficSplit/${ts.metadata.name}`, `${nsOf(ts)}/${b.service}`);
  }

  // ServiceAccounts a pod runs as, or a policy names, exist
  for (const w of out.filter(o => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
    const sa = w.spec.template.spec.serviceAccountName;
    if (sa && sa !== 'default' && !serviceAccounts.has(`${nsOf(w)}/${sa}`)) problems.push(`${w.kind}/${w.metadata.name} runs as ServiceAccount ${sa}, which is not in the output`);
  }
  const principals = out.filter(o => o.kind === 'AuthorizationPolicy')
    .flatMap(o => (o.spec.rules ?? []).flatMap((r: any) => (r.from ?? []).flatMap((f: any) => f.source?.principals ?? [])));
  for (const pr of principals) {
    const m = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(pr);
    if (m && !serviceAccounts.has(`${m[1]}/${m[2]}`)) problems.push(`AuthorizationPolicy principal ${pr} names a ServiceAccount that is not in the output`);
  }
  for (const auth of out.filter(o => o.kind === 'MeshTLSAuthentication')) {
    for (const ref of auth.spec.identityRefs ?? []) {
      if (ref.kind === 'ServiceAccount' && !serviceAccounts.has(`${ref.namespace ?? nsOf(auth)}/${ref.name}`)) {
        problems.push(`MeshTLSAuthentication/${auth.metadata.name} names ServiceAccount ${ref.name}, which is not in the output`);
      }
    }
    for (const id of auth.spec.identities ?? []) {
      const m = /^([^.]+)\.([^.]+)\.serviceaccount\.identity\./.exec(id);
      if (m && !serviceAccounts.has(`${m[2]}/${m[1]}`)) problems.push(`MeshTLSAuthentication/${auth.metadata.name} identity ${id} names a ServiceAccount that is not in the output`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('random valid programs × every provider configuration (fast-check)', () => {
  const outputs: Record<string, any[]> = {};
  const targets: Record<string, ReturnType<typeof validationTargetOf>> = {};
  const perProvider: Record<string, number> = {};
  let cases = 0;
  let validated = 0;
  const started = Date.now();

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`valid-program cases: ${cases} over ${Object.keys(perProvider).length} provider configurations (seed ${SEED}); `
      + `outputs validated against the CRDs: ${validated} objects in ${Object.keys(outputs).length} outputs; ${((Date.now() - started) / 1000).toFixed(1)}s`);
  });

  test(`every program synthesizes, twice identically, and holds the invariants (seed ${SEED})`, () => {
    fc.assert(fc.property(program.map(expressible), (p) => {
      const first = synth(p);
      const again = synth(p);
      expect(Yaml.stringify(...again)).toBe(Yaml.stringify(...first));
      expect(invariantProblems(first, p.namespace)).toEqual([]);
      cases++;
      perProvider[p.provider] = (perProvider[p.provider] ?? 0) + 1;
      const name = `case-${cases}--${p.provider}`;
      outputs[name] = first;
      targets[name] = validationTargetOf(p.provider);
    }), { seed: SEED, numRuns: RUNS });
    expect(cases).toBeGreaterThanOrEqual(Math.min(RUNS, 2000));
    // every provider configuration was exercised
    expect(Object.keys(perProvider).sort()).toEqual(Object.keys(PROVIDERS).sort());
  });

  itValidates('every output passes the upstream CRD and Kubernetes schemas (in batches)', () => {
    const names = Object.keys(outputs);
    expect(names.length).toBe(cases);
    for (let i = 0; i < names.length; i += BATCH) {
      const batch = Object.fromEntries(names.slice(i, i + BATCH).map(n => [n, outputs[n]]));
      const result = expectValid(batch, targets);
      const count = Number(/validated (\d+) objects/.exec(result.summary)?.[1]);
      expect(count).toBe(Object.values(batch).reduce((n, docs) => n + docs.length, 0));
      validated += count;
    }
  });
});
