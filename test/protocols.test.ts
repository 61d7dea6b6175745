/**
 * Issue 15, gRPC and TCP: a host's protocol (`ServiceProtocol`) sets its Service port's name and
 * `appProtocol`, and the routing objects: Istio `http` routes (a gRPC method is the path
 * `/<service>/<method>`) or `tcp` routes; Gateway API GRPCRoute or TCPRoute where the target
 * serves and the mesh reads them, else the capability error. HTTP features on a TCP host are
 * input errors naming the construct, the prop and the protocol.
 *
 * Upstream facts the rules below stand on:
 * - Istio reads a port's protocol from `appProtocol`, else from the port name's prefix
 *   (istio/istio pkg/config/kube/conversion.go ConvertProtocol); `kubernetes.io/h2c` is HTTP2
 *   from 1.19 (#43988); a GRPC port gets no default inbound retries, which would break
 *   streaming (pilot/pkg/networking/core/route/route.go BuildDefaultHTTPInboundRoute); istiod
 *   turns a GRPCRoute method match into `uri: exact /<svc>/<method>` or `prefix /<svc>/`
 *   (pilot/pkg/config/kube/gateway/conversion.go createGRPCURIMatch); it ignores GRPCRoute CRDs
 *   older than v1.1.0 and, from 1.31, TCPRoute CRDs older than v1.6.0
 *   (pkg/config/schema/gatewayapi/minimumversions.go); it watches TCPRoute v1alpha2 up to 1.30
 *   and v1 from 1.31 (pkg/config/schema/gvr).
 * - Linkerd's policy controller (2.18+) reads `appProtocol` (policy-controller/core/src/outbound.rs
 *   AppProtocol::from_str): `http` HTTP/1 only, `kubernetes.io/h2c` HTTP/2 (GRPCRoutes, else
 *   HTTPRoutes), `linkerd.io/opaque` opaque with TCPRoutes, anything else (`grpc` too) opaque
 *   (#13948, policy-controller/grpc/src/outbound.rs). GRPCRoute drives routing from 2.16
 *   (v1alpha2; v1 from 2.18: linkerd.io features/gateway-api.md), TCPRoute from 2.17
 *   (edge-24.10.4, #13181); a GRPCRoute's retries are `retry.linkerd.io/grpc` by gRPC status and
 *   its timeout `timeout.linkerd.io/request` (reference/retries.md, reference/timeouts.md;
 *   k8s/index outbound/index/grpc.rs parse_grpc_retry); opaque routes carry no failure accrual
 *   (grpc/src/outbound/tcp.rs); policy.linkerd.io has an HTTPRoute only.
 * - Gateway API: GRPCRoute v1 (standard) from v1.1, v1alpha2 in the experimental channel of
 *   v1.0-v1.1 only; TCPRoute v1alpha2 experimental, v1 standard from v1.6 (../shared/crds); GRPCRoute
 *   ranks matches by service characters, method characters, header count, then list order
 *   (apis/v1/grpcroute_types.go); `kubernetes.io/h2c` is the standard h2c backend protocol (GEP-1911).
 */
import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryRelease, CanaryVersion, CircuitBreaker, GatewayApiBundle, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute,
  GrpcMethodMatch, HeaderMatch, HttpMethod, HttpRetryOn, IngressGateway, IstioDataPlaneMode, IstioProviderOptions, IstioRoutingApi, IstioVersion,
  LinkerdVersion, LoadBalancer, Mesh, MeshProvider, MeshWorkload, PathMatch, QueryParamMatch, RequestMatch, RouteDestination, RoutePolicy,
  ServiceHost, ServiceProtocol, TrafficRoutes, TrafficRoutesProps,
} from '../src';
import { evaluate, TestRequest } from './support/evaluator';
import { chart, one, PROVIDERS, validationTargetFor, validationTargetOf } from './support/fixtures';
import { expectValid, itValidates, ValidationTarget } from './support/validator';

const meshOn = (provider: string | MeshProvider) => Mesh.fromAttributes({ provider: typeof provider === 'string' ? PROVIDERS[provider].make() : provider });
const GREETER = 'helloworld.Greeter';
const V1 = () => CanaryVersion.deploy({ name: 'v1', image: 'example/greeter:1' });
const V2 = () => CanaryVersion.deploy({ name: 'v2', image: 'example/greeter:2' });
const SPLIT = () => RouteDestination.weighted([{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }]);

/** A greeter host on `provider` serving `protocol`: v1 90 % / v2 10 %, with `props` over it. */
function greeter(provider: string | MeshProvider, protocol: ServiceProtocol, props: Partial<TrafficRoutesProps> = {}): any[] {
  const c = chart('shop');
  new TrafficRoutes(c, 'greeter', {
    mesh: meshOn(provider), serviceName: 'greeter', port: 50051, protocol, versions: [V1(), V2()], defaultRoute: { destination: SPLIT() }, ...props,
  });
  return Testing.synth(c);
}

/** gRPC rules: SayHello to v2, calls with `x-beta: 1` to v2. */
const GRPC_RULES = () => [
  { name: 'say-hello', matches: [RequestMatch.grpcMethod(GREETER, 'SayHello')], destination: RouteDestination.version('v2') },
  { name: 'beta', matches: [RequestMatch.header('x-beta', '1')], destination: RouteDestination.version('v2') },
];

const mesh = (o: any[]) => o.filter(x => !['Deployment', 'ServiceAccount', 'Service'].includes(x.kind));
const kinds = (o: any[]) => mesh(o).map(x => `${x.apiVersion} ${x.kind}`).sort();
const GW = 'gateway.networking.k8s.io';

describe('the Service port follows the protocol, as each mesh reads it', () => {
  const port = (provider: string, protocol: ServiceProtocol) => {
    const out = greeter(provider, protocol);
    const services = out.filter(o => o.kind === 'Service');
    // the host's Service and, where routes address versions by Service, each version's: the same port
    expect(new Set(services.map(s => JSON.stringify(s.spec.ports))).size).toBe(1);
    const containerPorts = out.filter(o => o.kind === 'Deployment').map(d => d.spec.template.spec.containers[0].ports[0].name);
    return { ...services[0].spec.ports[0], container: [...new Set(containerPorts)] };
  };

  test.each([
    // Istio: its own names; h2c for HTTP/2 (Istio 1.19+ maps it to HTTP2), `grpc` for gRPC (no default inbound retries on streams)
    ['istio', ServiceProtocol.HTTP, 'http', 'http'],
    ['istio', ServiceProtocol.HTTP2, 'http2', 'kubernetes.io/h2c'],
    ['istio', ServiceProtocol.GRPC, 'grpc', 'grpc'],
    ['istio', ServiceProtocol.TCP, 'tcp', 'tcp'],
    ['istio-gateway-api', ServiceProtocol.GRPC, 'grpc', 'grpc'],
    // Linkerd: `grpc` would be an unknown appProtocol, i.e. opaque, hiding the GRPCRoute
    ['linkerd', ServiceProtocol.HTTP2, 'http2', 'kubernetes.io/h2c'],
    ['linkerd', ServiceProtocol.GRPC, 'grpc', 'kubernetes.io/h2c'],
    ['linkerd-smi', ServiceProtocol.TCP, 'tcp', 'linkerd.io/opaque'],
    // any GAMMA mesh: the Gateway API standard value for h2c backends (GEP-1911)
    ['gateway-api', ServiceProtocol.GRPC, 'grpc', 'kubernetes.io/h2c'],
    ['gateway-api', ServiceProtocol.TCP, 'tcp', 'tcp'],
  ])('%s, %s: port %s, appProtocol %s; the containers\' port has the same name', (provider, protocol, name, appProtocol) => {
    expect(port(provider, protocol as ServiceProtocol)).toEqual({ name, appProtocol, port: 50051, targetPort: 50051, container: [name] });
  });

  test('a MeshWorkload names its container port after its protocol too', () => {
    const c = chart('shop');
    new MeshWorkload(c, 'db', { mesh: meshOn('istio'), serviceName: 'db', version: 'v1', image: 'postgres:16', port: 5432, protocol: ServiceProtocol.TCP });
    expect(one(Testing.synth(c), 'Deployment').spec.template.spec.containers[0].ports).toEqual([{ containerPort: 5432, name: 'tcp' }]);
  });
});

type Expected = { readonly kind: string; readonly apiVersion: string; readonly ruleNames?: boolean } | { readonly error: RegExp };

/** What a gRPC host with method and header rules gives on each configuration of the matrix. */
const GRPC: Record<string, Expected> = {
  'istio': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
  'istio-v1beta1': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1beta1' },
  'istio-1-24': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
  'istio-revision': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
  'istio-gateway-api': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: true },
  'istio-gateway-api-1-24': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: false },
  'istio-gateway-api-1-28-v1-3': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: false },
  'istio-gateway-api-experimental': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: true },
  'gateway-api': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: true },
  // GRPCRoute never had v1beta1: the HTTPRoute version option does not apply to it
  'gateway-api-v1beta1': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: true },
  'gateway-api-v1-1': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: false },
  'linkerd': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: false },
  'linkerd-2-18': { kind: 'GRPCRoute', apiVersion: `${GW}/v1`, ruleNames: false },
  'linkerd-2-15': { error: /cannot express gRPC routing \(GRPCRoute\) before Linkerd 2\.16 \(targeting Linkerd 2\.15\); Linkerd reads GRPCRoute from 2\.16/ },
  'linkerd-policy': { error: /cannot express routing a gRPC host; policy\.linkerd\.io has no GRPCRoute: use LinkerdRoutingApi\.GATEWAY_API/ },
  'linkerd-policy-2-14': { error: /cannot express routing a gRPC host; policy\.linkerd\.io has no GRPCRoute/ },
  'linkerd-smi': { error: /cannot express request matches through SMI|cannot express header matches through SMI/ },
  'linkerd-smi-v1alpha2': { error: /cannot express request matches through SMI|cannot express header matches through SMI/ },
};

/** What a TCP host (a weighted split) gives on each configuration of the matrix. */
const TCP: Record<string, Expected> = {
  'istio': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
  'istio-v1beta1': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1beta1' },
  'istio-1-24': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
  'istio-revision': { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1' },
  // Istio 1.31 reads TCPRoute v1, which Gateway API v1.6 serves in the standard channel
  'istio-gateway-api': { kind: 'TCPRoute', apiVersion: `${GW}/v1` },
  'istio-gateway-api-1-24': { error: /cannot express TCP routing \(TCPRoute\) on Gateway API v1\.2 \(standard channel\); Istio 1\.24 watches TCPRoute v1alpha2, served by Gateway API's experimental channel only/ },
  'istio-gateway-api-1-28-v1-3': { error: /Istio 1\.28 watches TCPRoute v1alpha2, served by Gateway API's experimental channel only/ },
  'istio-gateway-api-experimental': { kind: 'TCPRoute', apiVersion: `${GW}/v1` },
  'gateway-api': { kind: 'TCPRoute', apiVersion: `${GW}/v1` },
  'gateway-api-v1beta1': { kind: 'TCPRoute', apiVersion: `${GW}/v1` },
  'gateway-api-v1-1': { error: /TCPRoute is in the standard channel from Gateway API v1\.6 \(experimental v1alpha2 before\)/ },
  'linkerd': { error: /Linkerd 2\.20 watches TCPRoute v1alpha2, served by Gateway API's experimental channel only: install it and state experimentalChannel: true/ },
  'linkerd-2-18': { error: /Linkerd 2\.18 watches TCPRoute v1alpha2/ },
  'linkerd-2-15': { error: /cannot express TCP routing \(TCPRoute\) before Linkerd 2\.17 \(targeting Linkerd 2\.15\)/ },
  'linkerd-policy': { error: /cannot express routing a TCP host; policy\.linkerd\.io has no TCPRoute: use LinkerdRoutingApi\.GATEWAY_API \(Gateway API TCPRoute, Linkerd 2\.17\+\), or LinkerdRoutingApi\.SMI/ },
  'linkerd-policy-2-14': { error: /policy\.linkerd\.io has no TCPRoute/ },
  // a TrafficSplit splits by Service, whatever the protocol
  'linkerd-smi': { kind: 'TrafficSplit', apiVersion: 'split.smi-spec.io/v1alpha1' },
  'linkerd-smi-v1alpha2': { kind: 'TrafficSplit', apiVersion: 'split.smi-spec.io/v1alpha2' },
};

test('every configuration of the matrix has its gRPC and TCP rows here', () => {
  expect(Object.keys(GRPC).sort()).toEqual(Object.keys(PROVIDERS).sort());
  expect(Object.keys(TCP).sort()).toEqual(Object.keys(PROVIDERS).sort());
});

const SERVED = (table: Record<string, Expected>) => Object.entries(table).filter(([, e]) => 'kind' in e).map(([p]) => p);
const REFUSED = (table: Record<string, Expected>) => Object.entries(table).filter(([, e]) => 'error' in e).map(([p]) => p);

describe('a gRPC host: method and header rules, a weighted default', () => {
  const grpc = (provider: string) => greeter(provider, ServiceProtocol.GRPC, { rules: GRPC_RULES() });

  test.each(SERVED(GRPC).filter(p => (GRPC[p] as any).kind === 'VirtualService'))('%s: VirtualService http routes, the method as the path /<service>/<method>', provider => {
    const out = grpc(provider);
    const { apiVersion } = GRPC[provider] as any;
    expect(kinds(out)).toEqual([`${apiVersion} DestinationRule`, `${apiVersion} VirtualService`]);
    expect(one(out, 'VirtualService').spec).toEqual({
      hosts: ['greeter'],
      http: [
        { name: 'say-hello', match: [{ uri: { exact: '/helloworld.Greeter/SayHello' } }], route: [{ destination: { host: 'greeter', subset: 'v2' } }] },
        { name: 'beta', match: [{ headers: { 'x-beta': { exact: '1' } } }], route: [{ destination: { host: 'greeter', subset: 'v2' } }] },
        {
          name: 'default',
          route: [{ destination: { host: 'greeter', subset: 'v1' }, weight: 90 }, { destination: { host: 'greeter', subset: 'v2' }, weight: 10 }],
        },
      ],
    });
  });

  test.each(SERVED(GRPC).filter(p => (GRPC[p] as any).kind === 'GRPCRoute'))('%s: a GRPCRoute on the Service, to the per-version Services', provider => {
    const out = grpc(provider);
    const { apiVersion, ruleNames } = GRPC[provider] as any;
    const route = one(out, 'GRPCRoute');
    expect(route.apiVersion).toBe(apiVersion);
    expect(out.filter(o => o.kind === 'HTTPRoute')).toEqual([]);
    const named = (name: string, rule: any) => ruleNames ? { name, ...rule } : rule;
    expect(route.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'greeter', port: 50051 }],
      rules: [
        // GRPCRoute ranks a method match above a headers-only one: the overlap of the rules (SayHello
        // with x-beta) comes first, with the earliest rule's action, so first match still wins
        named('say-hello-and1', {
          matches: [{ method: { type: 'Exact', service: GREETER, method: 'SayHello' }, headers: [{ type: 'Exact', name: 'x-beta', value: '1' }] }],
          backendRefs: [{ name: 'greeter-v2', port: 50051 }],
        }),
        named('say-hello', { matches: [{ method: { type: 'Exact', service: GREETER, method: 'SayHello' } }], backendRefs: [{ name: 'greeter-v2', port: 50051 }] }),
        named('beta', { matches: [{ headers: [{ type: 'Exact', name: 'x-beta', value: '1' }] }], backendRefs: [{ name: 'greeter-v2', port: 50051 }] }),
        named('default', { backendRefs: [{ name: 'greeter-v1', port: 50051, weight: 90 }, { name: 'greeter-v2', port: 50051, weight: 10 }] }),
      ],
    });
  });

  test.each(REFUSED(GRPC))('%s: the capability error', provider => {
    expect(() => grpc(provider)).toThrow((GRPC[provider] as any).error);
  });

  test.each(['linkerd-smi', 'linkerd-smi-v1alpha2'])('%s: a split without matches is a TrafficSplit (it splits by Service)', provider => {
    expect(kinds(greeter(provider, ServiceProtocol.GRPC))).toEqual([`${(TCP[provider] as any).apiVersion} TrafficSplit`]);
  });

  itValidates('every object passes the CRDs of the releases each configuration targets', () => {
    const sets: Record<string, any[]> = {};
    const targets: Record<string, ValidationTarget> = {};
    for (const p of SERVED(GRPC)) {
      sets[p] = grpc(p);
      targets[p] = validationTargetOf(p);
    }
    for (const p of ['linkerd-smi', 'linkerd-smi-v1alpha2']) {
      sets[`${p}-split`] = greeter(p, ServiceProtocol.GRPC);
      targets[`${p}-split`] = validationTargetOf(p);
    }
    expectValid(sets, targets);
  });
});

describe('a TCP host: weights only', () => {
  const tcp = (provider: string | MeshProvider) => greeter(provider, ServiceProtocol.TCP);

  test.each(SERVED(TCP))('%s', provider => {
    const out = tcp(provider);
    const { kind, apiVersion } = TCP[provider] as any;
    if (kind === 'VirtualService') {
      expect(kinds(out)).toEqual([`${apiVersion} DestinationRule`, `${apiVersion} VirtualService`]);
      // a `tcp` route: weighted destinations and nothing to match (a TCP connection carries no request)
      expect(one(out, 'VirtualService').spec).toEqual({
        hosts: ['greeter'],
        tcp: [{ route: [{ destination: { host: 'greeter', subset: 'v1' }, weight: 90 }, { destination: { host: 'greeter', subset: 'v2' }, weight: 10 }] }],
      });
    } else if (kind === 'TCPRoute') {
      const route = one(out, 'TCPRoute');
      expect(route.apiVersion).toBe(apiVersion);
      expect(route.spec).toEqual({
        parentRefs: [{ group: '', kind: 'Service', name: 'greeter', port: 50051 }],
        rules: [{ backendRefs: [{ name: 'greeter-v1', port: 50051, weight: 90 }, { name: 'greeter-v2', port: 50051, weight: 10 }] }],
      });
    } else {
      expect(one(out, 'TrafficSplit').spec.backends).toEqual([{ service: 'greeter-v1', weight: 900 }, { service: 'greeter-v2', weight: 100 }]);
    }
  });

  test.each(REFUSED(TCP))('%s: the capability error', provider => {
    expect(() => tcp(provider)).toThrow((TCP[provider] as any).error);
  });

  const MORE: [string, MeshProvider, string][] = [
    // the experimental channel serves TCPRoute v1alpha2, which Linkerd 2.17+ and Istio up to 1.30 read
    ['Linkerd 2.20 on the experimental channel', MeshProvider.linkerd({ experimentalChannel: true }), `${GW}/v1alpha2`],
    ['Linkerd 2.17 (its default: Gateway API v1.1.1, experimental)', MeshProvider.linkerd({ version: LinkerdVersion.V2_17 }), `${GW}/v1alpha2`],
    ['Istio 1.28 (GAMMA, experimental channel)', MeshProvider.istio({ istioVersion: IstioVersion.V1_28, routingApi: IstioRoutingApi.GATEWAY_API, experimentalChannel: true }), `${GW}/v1alpha2`],
    ['Gateway API v1.5 (experimental)', MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_5, experimentalChannel: true }), `${GW}/v1alpha2`],
  ];
  test.each(MORE)('%s: TCPRoute (%#)', (_name, provider, apiVersion) => {
    expect(one(tcp(provider), 'TCPRoute').apiVersion).toBe(apiVersion);
  });

  test('Istio 1.31 reads TCPRoute v1 only, which needs Gateway API v1.6; Istio 1.30 reads v1alpha2 only', () => {
    const gamma = (options: IstioProviderOptions) => MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API, ...options });
    expect(() => tcp(gamma({ gatewayApiBundle: GatewayApiBundle.V1_5, experimentalChannel: true })))
      .toThrow(/Istio 1\.31 reads TCPRoute v1, which Gateway API v1\.6 adds \(it ignores older TCPRoute CRDs\)/);
    expect(() => tcp(gamma({ istioVersion: IstioVersion.V1_30, gatewayApiBundle: GatewayApiBundle.V1_6 })))
      .toThrow(/Istio 1\.30 watches TCPRoute v1alpha2, served by Gateway API's experimental channel only/);
  });

  test('ambient Istio: the host\'s waypoint carries the tcp route (ztunnel is L4 only and splits nothing)', () => {
    const out = tcp(MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }));
    expect(one(out, 'VirtualService').spec.tcp).toHaveLength(1);
    expect(one(out, 'Gateway').spec.gatewayClassName).toBe('istio-waypoint');
    expect(one(out, 'Service').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
  });

  itValidates('every object passes the CRDs of the releases each configuration targets', () => {
    const sets: Record<string, any[]> = {};
    const targets: Record<string, ValidationTarget> = {};
    for (const p of SERVED(TCP)) {
      sets[p] = tcp(p);
      targets[p] = validationTargetOf(p);
    }
    MORE.forEach(([, provider], i) => {
      sets[`more-${i}`] = tcp(provider);
      targets[`more-${i}`] = validationTargetFor(provider);
    });
    expectValid(sets, targets);
  });
});

describe('GRPCRoute and TCPRoute versions follow the target (version profiles)', () => {
  const grpc = (provider: MeshProvider) => greeter(provider, ServiceProtocol.GRPC, { rules: GRPC_RULES() });
  // Linkerd 2.16 and 2.17 read GRPCRoute v1alpha2 (served by the experimental channel up to Gateway
  // API v1.1) and install the Gateway API CRDs themselves: validated against the CRDs they bundle.
  const bundled = (profile: string): ValidationTarget => ({ profiles: [`linkerd@${profile}`], channel: 'experimental' });
  const CASES: { name: string; provider: MeshProvider; grpc: string; tcp: string | null; target?: ValidationTarget }[] = [
    { name: 'Linkerd 2.16', provider: MeshProvider.linkerd({ version: LinkerdVersion.V2_16 }), grpc: `${GW}/v1alpha2`, tcp: null, target: bundled('edge-24.8.2') },
    { name: 'Linkerd 2.17', provider: MeshProvider.linkerd({ version: LinkerdVersion.V2_17 }), grpc: `${GW}/v1alpha2`, tcp: `${GW}/v1alpha2`, target: bundled('edge-24.11.8') },
    { name: 'Gateway API v1.0 (experimental)', provider: MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_0, experimentalChannel: true }), grpc: `${GW}/v1alpha2`, tcp: `${GW}/v1alpha2` },
    { name: 'Istio 1.22 (GAMMA) on Gateway API v1.1', provider: MeshProvider.istio({ istioVersion: IstioVersion.V1_22, routingApi: IstioRoutingApi.GATEWAY_API }), grpc: `${GW}/v1`, tcp: null },
  ];
  test.each(CASES)('$name: GRPCRoute $grpc, TCPRoute $tcp', ({ provider, grpc: grpcVersion, tcp: tcpVersion }) => {
    expect(one(grpc(provider), 'GRPCRoute').apiVersion).toBe(grpcVersion);
    if (tcpVersion) expect(one(greeter(provider, ServiceProtocol.TCP), 'TCPRoute').apiVersion).toBe(tcpVersion);
  });

  test('Linkerd 2.16 has no TCPRoute; Linkerd 2.17 on Gateway API v1.2 no GRPCRoute v1alpha2; Gateway API v1.0 standard no GRPCRoute', () => {
    expect(() => greeter(MeshProvider.linkerd({ version: LinkerdVersion.V2_16 }), ServiceProtocol.TCP)).toThrow(/TCP routing \(TCPRoute\) before Linkerd 2\.17/);
    expect(() => grpc(MeshProvider.linkerd({ version: LinkerdVersion.V2_17, gatewayApiBundle: GatewayApiBundle.V1_2 })))
      .toThrow(/Linkerd 2\.17 watches GRPCRoute v1alpha2, served only by the experimental channel of Gateway API v1\.0 and v1\.1/);
    expect(() => grpc(MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_0 })))
      .toThrow(/GRPCRoute is in the standard channel from Gateway API v1\.1 \(experimental v1alpha2 before\)/);
  });

  test('istiod ignores GRPCRoute CRDs older than v1.1.0: GAMMA on Gateway API v1.0 is an error', () => {
    const old = { istioVersion: IstioVersion.V1_22, gatewayApiBundle: GatewayApiBundle.V1_0, experimentalChannel: true };
    expect(() => grpc(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API, ...old })))
      .toThrow(/Istio 1\.22 reads GRPCRoute v1, which Gateway API v1\.1 adds \(it ignores older GRPCRoute CRDs\)/);
  });

  test('a GRPCRoute rule holds 8 matches before Gateway API v1.3, 64 after', () => {
    const methods = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'].map(m => RequestMatch.grpcMethod(GREETER, m));
    const nine = { rules: [{ name: 'nine', matches: methods, destination: RouteDestination.version('v2') }] };
    expect(() => greeter('gateway-api-v1-1', ServiceProtocol.GRPC, nine)).toThrow(/more than a GRPCRoute holds \(16 rules of 8 matches\)/);
    expect(one(greeter('gateway-api', ServiceProtocol.GRPC, nine), 'GRPCRoute').spec.rules[0].matches).toHaveLength(9);
  });

  itValidates('they pass those releases\' CRDs', () => {
    const sets: Record<string, any[]> = {};
    const targets: Record<string, ValidationTarget> = {};
    CASES.forEach(({ provider, tcp, target }, i) => {
      sets[`grpc-${i}`] = grpc(provider);
      targets[`grpc-${i}`] = target ?? validationTargetFor(provider);
      if (tcp) {
        sets[`tcp-${i}`] = greeter(provider, ServiceProtocol.TCP);
        targets[`tcp-${i}`] = target ?? validationTargetFor(provider);
      }
    });
    sets.nine = greeter('gateway-api', ServiceProtocol.GRPC, {
      rules: [{ matches: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'].map(m => RequestMatch.grpcMethod(GREETER, m)), destination: RouteDestination.version('v2') }],
    });
    targets.nine = validationTargetOf('gateway-api');
    expectValid(sets, targets);
  });
});

describe('first match wins on GRPCRoute too', () => {
  // GRPCRoute prefers a service match over a headers-only match, and a method over a service:
  // declared the other way round, the earlier rule must still win where both match.
  const program = () => ({
    rules: [
      { name: 'canary-users', matches: [RequestMatch.header('x-user-group', 'canary')], destination: RouteDestination.version('v2') },
      { name: 'greeter', matches: [RequestMatch.grpcMethod(GREETER)], destination: RouteDestination.weighted([{ version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }]) },
      {
        name: 'hello-debug',
        matches: [RequestMatch.of({ grpcMethod: GrpcMethodMatch.method(GREETER, 'SayHello'), headers: [HeaderMatch.regex('x-debug', '1|true')] })],
        destination: RouteDestination.version('v1'),
      },
    ],
  });
  const call = (method: string, headers?: Record<string, string>): TestRequest => ({ method: 'POST', path: `/${method}`, headers });
  const REQUESTS: Record<string, TestRequest> = {
    'a canary user calls SayHello': call(`${GREETER}/SayHello`, { 'x-user-group': 'canary' }),
    'a canary user debugs SayHello': call(`${GREETER}/SayHello`, { 'x-user-group': 'canary', 'x-debug': 'true' }),
    'SayHello with debug': call(`${GREETER}/SayHello`, { 'x-debug': '1' }),
    'SayHello': call(`${GREETER}/SayHello`),
    'SayGoodbye': call(`${GREETER}/SayGoodbye`, { 'x-debug': '1' }),
    'another service': call('helloworld.Other/Ping'),
    'another service, canary user': call('helloworld.Other/Ping', { 'x-user-group': 'canary' }),
  };
  const decisions = (provider: string) => {
    const out = greeter(provider, ServiceProtocol.GRPC, program());
    return Object.fromEntries(Object.entries(REQUESTS).map(([k, r]) => [k, evaluate(out, 'greeter', r)]));
  };

  test('what the program means (Istio, first match wins)', () => {
    const d = decisions('istio');
    expect(Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v!.backends.join(' ')]))).toEqual({
      'a canary user calls SayHello': 'v2:100',
      'a canary user debugs SayHello': 'v2:100',
      'SayHello with debug': 'v1:50 v2:50',
      'SayHello': 'v1:50 v2:50',
      'SayGoodbye': 'v1:50 v2:50',
      'another service': 'v1:90 v2:10',
      'another service, canary user': 'v2:100',
    });
  });

  test.each(['istio-gateway-api', 'gateway-api', 'linkerd'])('%s routes every call as Istio does', provider => {
    expect(decisions(provider)).toEqual(decisions('istio'));
  });

  itValidates('the GRPCRoutes pass the CRDs', () => {
    expectValid(Object.fromEntries(['istio-gateway-api', 'gateway-api', 'linkerd'].map(p => [p, greeter(p, ServiceProtocol.GRPC, program())])),
      Object.fromEntries(['istio-gateway-api', 'gateway-api', 'linkerd'].map(p => [p, validationTargetOf(p)])));
  });
});

describe('retries, timeouts, mirrors and header changes of gRPC routes', () => {
  const withPolicy = (provider: string | MeshProvider, action: any = {}) => greeter(provider, ServiceProtocol.GRPC, {
    rules: [{ name: 'say-hello', matches: [RequestMatch.grpcMethod(GREETER, 'SayHello')], destination: RouteDestination.version('v2'), ...action }],
    defaultRoute: { destination: SPLIT(), ...action },
  });
  const POLICY = { timeout: Duration.seconds(5), retries: { attempts: 3, perTryTimeout: Duration.seconds(2) } };

  test('Istio: the VirtualService route\'s own timeout and retries', () => {
    const http = one(withPolicy('istio', POLICY), 'VirtualService').spec.http;
    expect(http.map((r: any) => [r.timeout, r.retries])).toEqual([
      ['5s', { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream,gateway-error,reset' }],
      ['5s', { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream,gateway-error,reset' }],
    ]);
  });

  test('Linkerd: annotations on the GRPCRoute (it has no fields for them), retrying UNAVAILABLE', () => {
    const route = one(withPolicy('linkerd', POLICY), 'GRPCRoute');
    expect(route.metadata.annotations).toEqual({
      'retry.linkerd.io/grpc': 'unavailable', 'retry.linkerd.io/limit': '3', 'retry.linkerd.io/timeout': '2s', 'timeout.linkerd.io/request': '5s',
    });
    expect(route.spec.rules.map((r: any) => Object.keys(r).sort())).toEqual([['backendRefs', 'matches'], ['backendRefs']]);
  });

  test('Linkerd: the annotations are the whole route\'s, so routes with different timeouts are an error', () => {
    expect(() => greeter('linkerd', ServiceProtocol.GRPC, {
      rules: [{ name: 'say-hello', matches: [RequestMatch.grpcMethod(GREETER, 'SayHello')], destination: RouteDestination.version('v2'), timeout: Duration.seconds(1) }],
    })).toThrow(/Linkerd cannot express different timeouts for the routes of one host; its timeout annotations apply to the whole GRPCRoute of 'greeter', and routes 'say-hello' .* and 'default' ask for different timeouts/);
  });

  test('Linkerd: retry.linkerd.io/grpc retries by gRPC status, so HTTP status conditions are an error', () => {
    expect(() => withPolicy('linkerd', { retries: { retryOn: [HttpRetryOn.SERVER_ERROR, HttpRetryOn.RESET] } }))
      .toThrow(/^test\/greeter: Linkerd 2\.20 .* cannot express retrying gRPC calls on 5xx; retry\.linkerd\.io\/grpc retries by gRPC status/);
    expect(one(withPolicy('linkerd', { retries: { retryOn: [HttpRetryOn.RESET, HttpRetryOn.GATEWAY_ERROR] } }), 'GRPCRoute').metadata.annotations)
      .toEqual({ 'retry.linkerd.io/grpc': 'unavailable' });
  });

  test.each([['gateway-api'], ['istio-gateway-api'], ['istio-gateway-api-experimental']])('%s: GRPCRoute has no timeout or retry field: the capability error', provider => {
    expect(() => withPolicy(provider, { timeout: Duration.seconds(5) })).toThrow(/cannot express a request timeout on a GRPCRoute; GRPCRoute has no such field \(in any channel\)/);
    expect(() => withPolicy(provider, { retries: { attempts: 2 } })).toThrow(/cannot express retries on a GRPCRoute/);
  });

  test('SMI: a ServiceProfile judges responses by HTTP status, so gRPC retries are an error; its timeouts match the method as the path', () => {
    const c = chart('shop');
    const host = new TrafficRoutes(c, 'greeter', {
      mesh: meshOn('linkerd-smi'), serviceName: 'greeter', port: 50051, protocol: ServiceProtocol.GRPC, versions: [V1(), V2()], defaultRoute: { destination: SPLIT() },
    });
    expect(() => new RoutePolicy(c, 'retry', { host, matches: [RequestMatch.grpcMethod(GREETER, 'SayHello')], retries: { budget: {} } }))
      .toThrow(/^test\/retry: Linkerd SMI .* cannot express retries of gRPC calls in a ServiceProfile/);
    new RoutePolicy(c, 'timeout', { host, matches: [RequestMatch.grpcMethod(GREETER, 'SayHello'), RequestMatch.grpcMethod('helloworld.Other')], timeout: Duration.seconds(2) });
    expect(one(Testing.synth(c), 'ServiceProfile').spec.routes).toEqual([{
      name: 'timeout',
      condition: { any: [{ method: 'POST', pathRegex: '/helloworld\\.Greeter/SayHello' }, { method: 'POST', pathRegex: '/helloworld\\.Other(/.*)?' }] },
      timeout: '2s',
    }]);
  });

  test('mirrors and header changes are GRPCRoute filters; a mirror percentage needs Gateway API v1.3', () => {
    const action = { mirror: { version: 'v1', percent: 100 }, requestHeaders: { set: { 'x-route': 'say-hello' } } };
    const rule = one(withPolicy('gateway-api', action), 'GRPCRoute').spec.rules[0];
    expect(rule.filters).toEqual([
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'say-hello' }] } },
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'greeter-v1', port: 50051 }, percent: 100 } },
    ]);
    expect(() => withPolicy('gateway-api-v1-1', { mirror: { version: 'v1', percent: 10 } })).toThrow(/cannot express mirroring 10% of requests \(RequestMirror percent/);
    expect(one(withPolicy('gateway-api-v1-1', { mirror: { version: 'v1' } }), 'GRPCRoute').spec.rules[0].filters)
      .toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'greeter-v1', port: 50051 } } }]);
  });

  itValidates('they pass the CRDs', () => {
    expectValid({
      istio: withPolicy('istio', POLICY),
      linkerd: withPolicy('linkerd', POLICY),
      mirror: withPolicy('gateway-api', { mirror: { version: 'v1', percent: 20 }, requestHeaders: { set: { 'x-route': 'a' } }, responseHeaders: { remove: ['server'] } }),
      mirrorV11: withPolicy('gateway-api-v1-1', { mirror: { version: 'v1' } }),
    }, {
      istio: validationTargetOf('istio'), linkerd: validationTargetOf('linkerd'), mirror: validationTargetOf('gateway-api'), mirrorV11: validationTargetOf('gateway-api-v1-1'),
    });
  });
});

describe('what a gRPC host cannot match or do, by provider', () => {
  const rule = (match: RequestMatch, extra: any = {}) => ({ rules: [{ name: 'r', matches: [match], destination: RouteDestination.version('v2'), ...extra }] });

  test('GRPCRoute matches the gRPC method and headers only: HTTP path, method and query matches are capability errors (Istio\'s own API has them)', () => {
    const http = RequestMatch.of({ path: PathMatch.prefix('/helloworld.Greeter'), method: HttpMethod.POST, queryParams: [QueryParamMatch.exact('a', 'b')] });
    expect(() => greeter('gateway-api', ServiceProtocol.GRPC, rule(http))).toThrow(new RegExp([
      '^test/greeter: Gateway API .* cannot express a request path match \\(/helloworld.Greeter\\) on a gRPC host; GRPCRoute matches the gRPC service and method and headers only',
      'test/greeter: Gateway API .* cannot express an HTTP method match \\(POST\\) on a gRPC host; ',
      'test/greeter: Gateway API .* cannot express a query parameter match \\(\'a\'\\) on a gRPC host; ',
    ].join('.*\n')));
    expect(one(greeter('istio', ServiceProtocol.GRPC, rule(RequestMatch.pathPrefix('/helloworld.Greeter'))), 'VirtualService').spec.http[0].match)
      .toEqual([{ uri: { exact: '/helloworld.Greeter' } }, { uri: { prefix: '/helloworld.Greeter/' } }]);
  });

  test('GRPCRoute has no header prefix match and no fault injection', () => {
    expect(() => greeter('istio-gateway-api', ServiceProtocol.GRPC, rule(RequestMatch.of({ headers: [HeaderMatch.prefix('x-user', 'a')] }))))
      .toThrow(/cannot express a prefix match on header 'x-user'; use HeaderMatch\.regex/);
    expect(() => greeter('istio-gateway-api', ServiceProtocol.GRPC, rule(RequestMatch.grpcMethod(GREETER), { fault: { abort: { httpStatus: 503, percent: 10 } } })))
      .toThrow(/cannot express fault injection; GRPCRoute has no fault injection/);
  });
});

describe('a TCP host: every HTTP feature is an input error naming the construct, the prop and the protocol', () => {
  const RULE = 'must be unset on a TCP host \\(protocol: ServiceProtocol\\.TCP\\): ';

  test('TrafficRoutes: rules and every HTTP setting of the default route, all reported at once', () => {
    expect(() => greeter('istio', ServiceProtocol.TCP, {
      rules: [{ matches: [RequestMatch.header('x', '1')], destination: RouteDestination.version('v2') }],
      defaultRoute: {
        destination: SPLIT(),
        mirror: { version: 'v2' },
        timeout: Duration.seconds(5),
        retries: { attempts: 2 },
        fault: { delay: { fixedDelay: Duration.seconds(1), percent: 5 } },
        requestHeaders: { set: { a: 'b' } },
        responseHeaders: { remove: ['server'] },
      },
    })).toThrow(new RegExp([
      `^test/greeter: 'rules' \\("1 rule\\(s\\)"\\) ${RULE}rules \\(request matches\\) apply to HTTP requests, and a TCP connection carries none; a TCP host is routed by weight only`,
      `test/greeter: 'defaultRoute.mirror' \\(.*\\) ${RULE}mirrors apply`,
      `test/greeter: 'defaultRoute.timeout' \\("5 seconds"\\) ${RULE}request timeouts apply`,
      `test/greeter: 'defaultRoute.retries' \\(.*\\) ${RULE}retries apply`,
      `test/greeter: 'defaultRoute.fault' \\(.*\\) ${RULE}injected faults apply`,
      `test/greeter: 'defaultRoute.requestHeaders' \\(.*\\) ${RULE}header changes apply`,
      `test/greeter: 'defaultRoute.responseHeaders' \\(.*\\) ${RULE}header changes apply[^\n]*$`,
    ].join('[^\n]*\n')));
  });

  test('CanaryRelease: canaryMatches, mirrorPercent, retries and timeout', () => {
    expect(() => new CanaryRelease(chart('shop'), 'db', {
      mesh: meshOn('istio'),
      serviceName: 'db',
      port: 5432,
      protocol: ServiceProtocol.TCP,
      stable: V1(),
      canary: V2(),
      canaryMatches: [RequestMatch.header('x', '1')],
      mirrorPercent: 5,
      retries: { attempts: 1 },
      timeout: Duration.seconds(3),
    })).toThrow(new RegExp([
      `^test/db: 'canaryMatches' \\(.*\\) ${RULE}request matches apply`,
      `test/db: 'mirrorPercent' \\(5\\) ${RULE}mirrors apply`,
      `test/db: 'retries' \\(.*\\) ${RULE}retries apply`,
      `test/db: 'timeout' \\("3 seconds"\\) ${RULE}request timeouts apply[^\n]*$`,
    ].join('[^\n]*\n')));
  });

  test('a TCP canary release splits connections by its step', () => {
    const c = chart('shop');
    new CanaryRelease(c, 'db', { mesh: meshOn('istio'), serviceName: 'db', port: 5432, protocol: ServiceProtocol.TCP, stable: V1(), canary: V2(), steps: [20, 100] });
    expect(one(Testing.synth(c), 'VirtualService').spec.tcp).toEqual([{
      route: [{ destination: { host: 'db', subset: 'v1' }, weight: 80 }, { destination: { host: 'db', subset: 'v2' }, weight: 20 }],
    }]);
  });

  test('RoutePolicy on a TCP host (the host construct, or ServiceHost.fromAttributes with protocol TCP)', () => {
    const c = chart('shop');
    const host = new TrafficRoutes(c, 'db', { mesh: meshOn('istio'), serviceName: 'db', port: 5432, protocol: ServiceProtocol.TCP, versions: [V1()], defaultRoute: { destination: RouteDestination.version('v1') } });
    expect(() => new RoutePolicy(c, 'timeout', { host, timeout: Duration.seconds(3), fault: { abort: { httpStatus: 503, percent: 1 } } })).toThrow(new RegExp(
      `^test/timeout: 'timeout' \\("3 seconds"\\) ${RULE}request timeouts apply.*\ntest/timeout: 'fault' \\(.*\\) ${RULE}injected faults apply`));
    const other = chart('shop');
    expect(() => new RoutePolicy(other, 'retries', {
      host: ServiceHost.fromAttributes({ mesh: meshOn('istio'), serviceName: 'redis', port: 6379, protocol: ServiceProtocol.TCP }), retries: { attempts: 2 },
    })).toThrow(new RegExp(`^test/retries: 'retries' \\(.*\\) ${RULE}retries apply`));
  });

  test('CircuitBreaker on a TCP host: connection limits and outlier detection yes (Istio), request limits and header or cookie hashing no', () => {
    const c = chart('shop');
    const host = new TrafficRoutes(c, 'db', { mesh: meshOn('istio'), serviceName: 'db', port: 5432, protocol: ServiceProtocol.TCP, versions: [V1()], defaultRoute: { destination: RouteDestination.version('v1') } });
    expect(() => new CircuitBreaker(c, 'http', { host, connectionPool: { http1MaxPendingRequests: 10, maxRetries: 1 }, loadBalancer: LoadBalancer.consistentHashByCookie('session') }))
      .toThrow(new RegExp([
        `^test/http: 'connectionPool.http1MaxPendingRequests' \\(10\\) ${RULE}pending-request limits apply`,
        `test/http: 'connectionPool.maxRetries' \\(1\\) ${RULE}retry limits apply`,
        `test/http: 'loadBalancer' \\("hash-cookie session"\\) ${RULE}header and cookie hashing apply`,
      ].join('[^\n]*\n')));
    new CircuitBreaker(c, 'tcp', { host, connectionPool: { maxConnections: 100, connectTimeout: Duration.seconds(1) }, outlierDetection: { consecutive5xxErrors: 3 } });
    expect(one(Testing.synth(c), 'DestinationRule').spec.trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 100, connectTimeout: '1s' } }, outlierDetection: { consecutive5xxErrors: 3 },
    });
  });

  test('Linkerd has no failure accrual for opaque TCP', () => {
    const c = chart('shop');
    const host = new TrafficRoutes(c, 'db', {
      mesh: meshOn(MeshProvider.linkerd({ experimentalChannel: true })),
      serviceName: 'db',
      port: 5432,
      protocol: ServiceProtocol.TCP,
      versions: [V1()],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
    expect(() => new CircuitBreaker(c, 'accrual', { host, outlierDetection: { consecutive5xxErrors: 3 } }))
      .toThrow(/^test\/accrual: Linkerd 2\.20 .* cannot express failure accrual on a TCP host; Linkerd counts failed HTTP and gRPC responses/);
  });
});

describe('gRPC method matches', () => {
  test('only on a gRPC host', () => {
    expect(() => greeter('istio', ServiceProtocol.HTTP2, { rules: [{ matches: [RequestMatch.grpcMethod(GREETER)], destination: RouteDestination.version('v2') }] }))
      .toThrow(/^test\/greeter: 'rules\[0\]\.matches\[0\]\.grpcMethod' \(\{"service":"helloworld.Greeter"\}\) must be used on a gRPC host only \(protocol: ServiceProtocol\.GRPC\)/);
    expect(() => new CanaryRelease(chart('shop'), 'reviews', {
      mesh: meshOn('istio'), serviceName: 'reviews', port: 9080, stable: V1(), canary: V2(), canaryMatches: [RequestMatch.grpcMethod(GREETER, 'SayHello')],
    })).toThrow(/^test\/reviews: 'canaryMatches\[0\]\.grpcMethod' .* must be used on a gRPC host only/);
  });

  test('with headers only, and names GRPCRoute accepts', () => {
    const match = (m: RequestMatch) => greeter('istio', ServiceProtocol.GRPC, { rules: [{ matches: [m], destination: RouteDestination.version('v2') }] });
    expect(() => match(RequestMatch.of({ grpcMethod: GrpcMethodMatch.service(GREETER), path: PathMatch.exact('/x') })))
      .toThrow(/^test\/greeter: 'rules\[0\]\.matches\[0\]\.grpcMethod' \("with path"\) must be combined with headers only/);
    expect(() => match(RequestMatch.grpcMethod('hello world'))).toThrow(/'rules\[0\]\.matches\[0\]\.grpcMethod\.service' \("hello world"\) must be a fully qualified gRPC service name/);
    expect(() => match(RequestMatch.grpcMethod(GREETER, 'Say-Hello'))).toThrow(/'rules\[0\]\.matches\[0\]\.grpcMethod\.method' \("Say-Hello"\) must be a gRPC method name/);
  });

  test('a CanaryRelease on a gRPC host overrides by method', () => {
    const c = chart('shop');
    new CanaryRelease(c, 'greeter', {
      mesh: meshOn('linkerd'),
      serviceName: 'greeter',
      port: 50051,
      protocol: ServiceProtocol.GRPC,
      stable: V1(),
      canary: V2(),
      canaryMatches: [RequestMatch.grpcMethod(GREETER, 'SayHello')],
    });
    expect(one(Testing.synth(c), 'GRPCRoute').spec.rules[0]).toEqual({
      matches: [{ method: { type: 'Exact', service: GREETER, method: 'SayHello' } }], backendRefs: [{ name: 'greeter-v2', port: 50051 }],
    });
  });
});

describe('one host, one protocol', () => {
  test('a second construct that declares the host with another protocol is an error naming both', () => {
    const c = chart('shop');
    new TrafficRoutes(c, 'grpc', { mesh: meshOn('istio'), serviceName: 'greeter', port: 50051, protocol: ServiceProtocol.GRPC, versions: [V1()], defaultRoute: { destination: RouteDestination.version('v1') } });
    expect(() => new RoutePolicy(c, 'policy', {
      host: ServiceHost.fromAttributes({ mesh: meshOn('istio'), serviceName: 'greeter', port: 50051, protocol: ServiceProtocol.HTTP }), timeout: Duration.seconds(2),
    })).toThrow(/^test\/policy: 'protocol' \("http"\) must be the protocol of host 'greeter' as declared by test\/grpc \(ServiceProtocol\.GRPC\): one port serves one protocol$/);
    expect(() => new CanaryRelease(c, 'canary', { mesh: meshOn('istio'), serviceName: 'greeter', port: 50051, stable: V2(), canary: CanaryVersion.deploy({ name: 'v3', image: 'g:3' }) }))
      .toThrow(/^test\/canary: 'protocol' \("http"\) must be the protocol of host 'greeter' as declared by test\/grpc/);
  });

  test('ServiceHost.fromAttributes without a protocol takes the host\'s', () => {
    const c = chart('shop');
    new TrafficRoutes(c, 'grpc', { mesh: meshOn('istio'), serviceName: 'greeter', port: 50051, protocol: ServiceProtocol.GRPC, versions: [V1()], defaultRoute: { destination: RouteDestination.version('v1') } });
    new RoutePolicy(c, 'policy', {
      host: ServiceHost.fromAttributes({ mesh: meshOn('istio'), serviceName: 'greeter', port: 50051 }), matches: [RequestMatch.grpcMethod(GREETER, 'SayHello')], timeout: Duration.seconds(2),
    });
    expect(one(Testing.synth(c), 'VirtualService').spec.http[0]).toEqual({
      name: 'policy', match: [{ uri: { exact: '/helloworld.Greeter/SayHello' } }], route: [{ destination: { host: 'greeter', subset: 'v1' } }], timeout: '2s',
    });
  });
});

describe('ingress routes to gRPC and TCP hosts', () => {
  const gatewayOn = (c: Chart, listener: GatewayListener) => new IngressGateway(c, 'edge', {
    mesh: meshOn('istio'), implementation: GatewayImplementation.istio(), listeners: [listener],
  });
  const host = (protocol: ServiceProtocol) => ServiceHost.fromAttributes({ mesh: meshOn('istio'), serviceName: 'ledger', namespace: 'shop', port: 7000, protocol });

  test('a GatewayRoute is an HTTP route: a gRPC method match there is an error (match the path)', () => {
    const c = chart('shop');
    const gateway = gatewayOn(c, GatewayListener.http());
    expect(() => new GatewayRoute(c, 'greeter', {
      gateway, rules: [{ matches: [RequestMatch.grpcMethod(GREETER)], backends: [GatewayBackend.host(host(ServiceProtocol.GRPC))] }],
    })).toThrow(/^test\/greeter: 'rules\[0\]\.matches\[0\]\.grpcMethod' \(.*\) must be unset on a GatewayRoute \(an HTTP route\): match the call's path instead/);
  });

  test('a TCP host behind an HTTP listener is an error; behind TLS passthrough it is a TLSRoute backend', () => {
    const c = chart('shop');
    const http = gatewayOn(c, GatewayListener.http());
    expect(() => new GatewayRoute(c, 'ledger-http', { gateway: http, rules: [{ backends: [GatewayBackend.host(host(ServiceProtocol.TCP))] }] }))
      .toThrow(/^test\/ledger-http: 'rules\[0\]\.backends\[0\]' \("ledger"\) must be a host that serves HTTP, HTTP\/2 or gRPC on an HTTP\(S\) listener \(this one serves TCP/);
    const p = chart('shop');
    const gamma = meshOn(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }));
    const tls = new IngressGateway(p, 'edge', { mesh: gamma, listeners: [GatewayListener.tlsPassthrough({ hostname: 'ledger.example.com' })] });
    const ledger = ServiceHost.fromAttributes({ mesh: gamma, serviceName: 'ledger', port: 7000, protocol: ServiceProtocol.TCP });
    new GatewayRoute(p, 'ledger', { gateway: tls, listener: 'tls', hostnames: ['ledger.example.com'], rules: [{ backends: [GatewayBackend.host(ledger)] }] });
    expect(one(Testing.synth(p), 'TLSRoute').spec.rules).toEqual([{ backendRefs: [{ name: 'ledger', port: 7000 }] }]);
  });
});

describe('first match wins on GRPCRoute, for any program (fast-check)', () => {
  // Random rules over gRPC methods and headers with different destinations; every call must reach
  // on GRPCRoute (specificity order, with the library's overlap rules) what Istio's first match gives.
  const METHODS = [undefined, GrpcMethodMatch.service(GREETER), GrpcMethodMatch.method(GREETER, 'SayHello'), GrpcMethodMatch.method(GREETER, 'SayBye'),
    GrpcMethodMatch.service('helloworld.Other')];
  const HEADERS = [HeaderMatch.exact('x-user', 'a'), HeaderMatch.exact('x-user', 'b'), HeaderMatch.regex('x-user', 'a|c'), HeaderMatch.exact('x-debug', '1')];
  const DESTINATIONS = [() => RouteDestination.version('v1'), () => RouteDestination.version('v2'), SPLIT];
  const match = fc.record({ method: fc.nat(METHODS.length - 1), headers: fc.subarray([0, 1, 2, 3], { maxLength: 2 }) })
    .filter(m => m.method > 0 || m.headers.length > 0)
    // two conditions on one header name: an input error, not a program
    .filter(m => !(m.headers.filter(h => h <= 2).length > 1));
  const rule = fc.record({ matches: fc.array(match, { minLength: 1, maxLength: 2 }), destination: fc.nat(DESTINATIONS.length - 1) });
  const programs = fc.array(rule, { minLength: 1, maxLength: 4 });
  const CALLS: TestRequest[] = [];
  for (const path of [`${GREETER}/SayHello`, `${GREETER}/SayBye`, `${GREETER}/Other`, 'helloworld.Other/SayHello', 'x.Y/Z']) {
    for (const headers of [{}, { 'x-user': 'a' }, { 'x-user': 'b' }, { 'x-user': 'c' }, { 'x-debug': '1' }, { 'x-user': 'a', 'x-debug': '1' }]) {
      CALLS.push({ method: 'POST', path: `/${path}`, headers });
    }
  }

  test('Gateway API and Linkerd route every call as Istio does (300 programs)', () => {
    let checked = 0;
    fc.assert(fc.property(programs, rules => {
      const props = {
        rules: rules.map((r, i) => ({
          name: `r${i}`,
          matches: r.matches.map(m => RequestMatch.of({ grpcMethod: METHODS[m.method], headers: m.headers.map(h => HEADERS[h]) })),
          destination: DESTINATIONS[r.destination](),
        })),
      };
      let gamma: any[];
      try {
        gamma = greeter('gateway-api', ServiceProtocol.GRPC, props);
      } catch (e) {
        // what GRPCRoute cannot order is an error (two regular expressions that may overlap, over 16 rules), never a wrong route
        expect((e as Error).message).toMatch(/orders rules by specificity/);
        return;
      }
      const istio = greeter('istio', ServiceProtocol.GRPC, props);
      const linkerd = greeter('linkerd', ServiceProtocol.GRPC, props);
      for (const call of CALLS) {
        const want = evaluate(istio, 'greeter', call)?.backends;
        expect([call, evaluate(gamma, 'greeter', call)?.backends]).toEqual([call, want]);
        expect([call, evaluate(linkerd, 'greeter', call)?.backends]).toEqual([call, want]);
      }
      checked++;
    }), { seed: 15015, numRuns: 300 });
    expect(checked).toBeGreaterThan(200);
  });
});
