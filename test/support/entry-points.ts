/**
 * Every public entry point, as a plain-JS caller (or a jsii language) reaches it: a valid
 * baseline call, and each prop with the kind of value it takes. The invalid-input suite replaces
 * one prop (or several) by values of the wrong kind and expects an Error naming the construct
 * path (or the factory) — never a TypeError, never output.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  AllowedRoutes, RouteDestination, TrafficRoutes,
  CanaryRelease, CanaryVersion, CircuitBreaker, Condition, GatewayApiVersion, GatewayBackend, GatewayImplementation, GatewayListener,
  GatewayRoute, HeaderMatch, HttpMethod, HttpRetryOn, IngressGateway, InstallMethod, IstioApiVersion, IstioDataPlaneMode, IstioRoutingApi,
  H2UpgradePolicy, LinkerdRoutingApi, LinkerdVersion, LoadBalancer, Mesh, MeshAuthorization, MeshCluster, MeshControlPlane, MeshIdentity, MeshInstall,
  MeshProvider, MeshWorkload, MtlsMode, PathMatch, Peer, QueryParamMatch, RequestMatch, RoutePolicy, ServiceHost, SmiApiVersion,
  StrictMtlsMigration, TlsCertificate, TrustAnchor, UpstreamTls, WorkloadSelector,
} from '../../src';

/** The kinds of value a prop takes; each has its own list of wrong values. */
export type Kind =
  | 'mesh' | 'dns1123' | 'dns1035' | 'subdomain' | 'hostname' | 'text' | 'image' | 'path' | 'header' | 'query' | 'regex'
  | 'port' | 'count' | 'percent' | 'weight' | 'ratio' | 'status'
  | 'duration' | 'bool' | 'labels' | 'env' | 'headerMap' | 'severity' | 'enum' | 'object' | 'array' | 'stringArray' | 'dnsArray' | 'portArray' | 'instance' | 'steps' | 'url'
  | 'cidrArray';

export interface Field {
  readonly kind: Kind;
  /** left out is an error */
  readonly required?: boolean;
}

export interface EntryPoint {
  readonly name: string;
  /** what a valid call passes (a fresh object each time) */
  readonly props: () => any;
  /** calls the entry point under `scope` with id 'subject' (factories: inside a construct that uses them) */
  readonly run: (chart: Chart, props: any) => void;
  /** prop paths (dotted) and their kinds */
  readonly fields: Record<string, Field>;
  /** the factory's name, when the entry point validates eagerly (its errors name it instead of a path) */
  readonly factory?: string;
}

const istio = () => Mesh.fromAttributes({ provider: MeshProvider.istio() });
const v1 = () => CanaryVersion.deploy({ name: 'v1', image: 'reviews:1' });
const v2 = () => CanaryVersion.deploy({ name: 'v2', image: 'reviews:2' });

function release(c: Chart, id = 'reviews'): CanaryRelease {
  return new CanaryRelease(c, id, { mesh: istio(), serviceName: 'reviews', port: 9080, stable: v1(), canary: v2() });
}

function gateway(c: Chart, props: any = {}): IngressGateway {
  return new IngressGateway(c, 'gw', { mesh: istio(), listeners: [GatewayListener.http()], ...props });
}

/** A policy whose one allow rule has `when: [condition]` (with a JWT issuer for the conditions that need one). */
function withCondition(c: Chart, condition: Condition): void {
  new MeshAuthorization(c, 'subject', {
    mesh: istio(), namespace: 'shop', jwt: { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' }, allow: [{ when: [condition] }],
  });
}

/** Each Condition factory (validated when the policy reads it: errors name the policy). */
function conditionEntries(): EntryPoint[] {
  const values = { kind: 'stringArray', required: true } as const;
  return [
    {
      name: 'Condition.header',
      props: () => ({ name: 'x-api-version', values: ['v1'] }),
      run: (c, p) => withCondition(c, Condition.header(p.name, p.values)),
      fields: { name: { kind: 'header', required: true }, values },
    },
    {
      name: 'Condition.claim',
      props: () => ({ claim: 'role', values: ['admin'] }),
      run: (c, p) => withCondition(c, Condition.claim(p.claim, p.values)),
      fields: { claim: { kind: 'text', required: true }, values },
    },
    {
      name: 'Condition.nestedClaim',
      props: () => ({ path: ['realm_access', 'roles'], values: ['ops'] }),
      run: (c, p) => withCondition(c, Condition.nestedClaim(p.path, p.values)),
      fields: { path: { kind: 'stringArray', required: true }, values },
    },
    {
      name: 'Condition.requestPrincipal',
      props: () => ({ issuer: 'https://issuer.example.com', subject: 'user-*' }),
      run: (c, p) => withCondition(c, Condition.requestPrincipal(p.issuer, p.subject)),
      fields: { issuer: { kind: 'text', required: true }, subject: { kind: 'text' } },
    },
    { name: 'Condition.audience', props: () => ({ values: ['shop'] }), run: (c, p) => withCondition(c, Condition.audience(p.values)), fields: { values } },
    { name: 'Condition.presenter', props: () => ({ values: ['web'] }), run: (c, p) => withCondition(c, Condition.presenter(p.values)), fields: { values } },
    {
      name: 'Condition.sourceIp',
      props: () => ({ addresses: ['10.0.0.0/8', 'fd00::1'] }),
      run: (c, p) => withCondition(c, Condition.sourceIp(p.addresses)),
      fields: { addresses: { kind: 'cidrArray', required: true } },
    },
    {
      name: 'Condition.remoteIp',
      props: () => ({ addresses: ['203.0.113.7'] }),
      run: (c, p) => withCondition(c, Condition.remoteIp(p.addresses)),
      fields: { addresses: { kind: 'cidrArray', required: true } },
    },
    {
      name: 'Condition.negate',
      props: () => ({ condition: Condition.header('x-env', ['prod']) }),
      run: (c, p) => withCondition(c, Condition.negate(p.condition)),
      fields: { condition: { kind: 'instance', required: true } },
    },
  ];
}

/** Wraps a factory call: the construct that uses its product is 'subject'. */
function viaRelease(make: (props: any) => any, into: (made: any) => any) {
  return (c: Chart, props: any) => {
    new CanaryRelease(c, 'subject', { mesh: istio(), serviceName: 'reviews', port: 9080, stable: v1(), canary: v2(), ...into(make(props)) });
  };
}

export const ENTRY_POINTS: EntryPoint[] = [
  {
    name: 'CanaryRelease',
    props: () => ({
      mesh: istio(),
      serviceName: 'reviews',
      port: 9080,
      stable: v1(),
      canary: v2(),
      steps: [10, 50, 100],
      currentStep: 0,
      namespace: 'shop',
      targetPort: 8080,
      mirrorPercent: 5,
      timeout: Duration.seconds(10),
      canaryMatches: [RequestMatch.header('end-user', 'jason')],
      retries: { attempts: 2, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.SERVER_ERROR] },
      rolloutPlan: { enabled: true, directory: 'plans' },
    }),
    run: (c, p) => { new CanaryRelease(c, 'subject', p); },
    fields: {
      'mesh': { kind: 'mesh', required: true },
      'serviceName': { kind: 'dns1035', required: true },
      'port': { kind: 'port', required: true },
      'stable': { kind: 'instance', required: true },
      'canary': { kind: 'instance', required: true },
      'namespace': { kind: 'dns1123' },
      'targetPort': { kind: 'port' },
      'steps': { kind: 'steps' },
      'currentStep': { kind: 'count' },
      'mirrorPercent': { kind: 'percent' },
      'timeout': { kind: 'duration' },
      'canaryMatches': { kind: 'array' },
      'retries': { kind: 'object' },
      'retries.attempts': { kind: 'count' },
      'retries.perTryTimeout': { kind: 'duration' },
      'retries.retryOn': { kind: 'array' },
      'rolloutPlan': { kind: 'object' },
      'rolloutPlan.enabled': { kind: 'bool' },
      'rolloutPlan.directory': { kind: 'text' },
    },
  },
  {
    name: 'TrafficRoutes',
    props: () => ({
      mesh: istio(),
      serviceName: 'reviews',
      port: 9080,
      targetPort: 8080,
      namespace: 'shop',
      versions: [v1(), v2()],
      rules: [{
        name: 'beta',
        matches: [RequestMatch.header('end-user', 'jason')],
        destination: RouteDestination.version('v2'),
        timeout: Duration.seconds(5),
        retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
        fault: { abort: { httpStatus: 503, percent: 1 } },
        requestHeaders: { set: { 'x-beta': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
        responseHeaders: { set: { 'x-served': 'v2' } },
      }],
      defaultRoute: {
        destination: RouteDestination.weighted([{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }]),
        mirror: { version: 'v2', percent: 5 },
        timeout: Duration.seconds(10),
      },
    }),
    run: (c, p) => { new TrafficRoutes(c, 'subject', p); },
    fields: {
      'mesh': { kind: 'mesh', required: true },
      'serviceName': { kind: 'dns1035', required: true },
      'port': { kind: 'port', required: true },
      'targetPort': { kind: 'port' },
      'namespace': { kind: 'dns1123' },
      'versions': { kind: 'array', required: true },
      'rules': { kind: 'array' },
      'rules.0.name': { kind: 'dns1123' },
      'rules.0.matches': { kind: 'array', required: true },
      'rules.0.destination': { kind: 'instance', required: true },
      'rules.0.timeout': { kind: 'duration' },
      'rules.0.retries': { kind: 'object' },
      'rules.0.retries.attempts': { kind: 'count' },
      'rules.0.fault': { kind: 'object' },
      'rules.0.fault.abort.httpStatus': { kind: 'status', required: true },
      'rules.0.requestHeaders': { kind: 'object' },
      'rules.0.requestHeaders.set': { kind: 'headerMap' },
      'rules.0.requestHeaders.add': { kind: 'headerMap' },
      'rules.0.responseHeaders': { kind: 'object' },
      'defaultRoute': { kind: 'object', required: true },
      'defaultRoute.destination': { kind: 'instance', required: true },
      'defaultRoute.mirror': { kind: 'object' },
      'defaultRoute.mirror.version': { kind: 'dns1123', required: true },
      'defaultRoute.mirror.percent': { kind: 'percent' },
      'defaultRoute.timeout': { kind: 'duration' },
    },
  },
  {
    name: 'RouteDestination.weighted',
    props: () => ({ weights: [{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }] }),
    run: (c, p) => {
      new TrafficRoutes(c, 'subject', {
        mesh: istio(), serviceName: 'reviews', port: 9080, versions: [v1(), v2()], defaultRoute: { destination: RouteDestination.weighted(p.weights) },
      });
    },
    fields: {
      'weights': { kind: 'array', required: true },
      'weights.0.version': { kind: 'dns1123', required: true },
      'weights.0.weight': { kind: 'weight', required: true },
    },
  },
  {
    name: 'CanaryVersion.deploy',
    props: () => ({ name: 'v2', image: 'reviews:2', replicas: 2, env: { A: 'b' } }),
    run: viaRelease(p => CanaryVersion.deploy(p), canary => ({ canary })),
    fields: {
      name: { kind: 'dns1123', required: true },
      image: { kind: 'image', required: true },
      replicas: { kind: 'count' },
      env: { kind: 'env' },
      proxy: { kind: 'object' },
    },
  },
  {
    name: 'CanaryVersion.fromLabels',
    props: () => ({ name: 'v2', labels: { app: 'reviews', version: 'v2' } }),
    run: viaRelease(p => CanaryVersion.fromLabels(p.name, p.labels), canary => ({ canary })),
    fields: { name: { kind: 'dns1123', required: true }, labels: { kind: 'labels', required: true } },
  },
  {
    name: 'RequestMatch.header',
    props: () => ({ name: 'end-user', value: 'jason' }),
    run: viaRelease(p => RequestMatch.header(p.name, p.value), m => ({ canaryMatches: [m] })),
    fields: { name: { kind: 'header', required: true }, value: { kind: 'text', required: true } },
  },
  {
    name: 'RequestMatch.of',
    props: () => ({
      path: PathMatch.prefix('/api'),
      method: HttpMethod.GET,
      headers: [HeaderMatch.exact('x-a', 'b')],
      queryParams: [QueryParamMatch.exact('debug', '1')],
    }),
    run: viaRelease(p => RequestMatch.of(p), m => ({ canaryMatches: [m] })),
    fields: { path: { kind: 'instance' }, method: { kind: 'enum' }, headers: { kind: 'array' }, queryParams: { kind: 'array' } },
  },
  {
    name: 'QueryParamMatch.exact',
    props: () => ({ name: 'debug', value: '1' }),
    run: viaRelease(p => RequestMatch.of({ queryParams: [QueryParamMatch.exact(p.name, p.value)] }), m => ({ canaryMatches: [m] })),
    fields: { name: { kind: 'query', required: true }, value: { kind: 'text', required: true } },
  },
  {
    name: 'PathMatch.prefix',
    props: () => ({ prefix: '/api' }),
    run: viaRelease(p => RequestMatch.pathPrefix(p.prefix), m => ({ canaryMatches: [m] })),
    fields: { prefix: { kind: 'path', required: true } },
  },
  {
    name: 'PathMatch.regex',
    props: () => ({ pattern: '^/api/v[0-9]+' }),
    run: viaRelease(p => RequestMatch.of({ path: PathMatch.regex(p.pattern) }), m => ({ canaryMatches: [m] })),
    fields: { pattern: { kind: 'regex', required: true } },
  },
  {
    name: 'MeshWorkload',
    props: () => ({ mesh: istio(), serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080, namespace: 'shop', name: 'ratings-v1', replicas: 2, env: { A: 'b' }, meshed: true }),
    run: (c, p) => { new MeshWorkload(c, 'subject', p); },
    fields: {
      mesh: { kind: 'mesh', required: true },
      serviceName: { kind: 'dns1035', required: true },
      version: { kind: 'dns1123', required: true },
      image: { kind: 'image', required: true },
      port: { kind: 'port', required: true },
      namespace: { kind: 'dns1123' },
      name: { kind: 'dns1123' },
      replicas: { kind: 'count' },
      env: { kind: 'env' },
      meshed: { kind: 'bool' },
      proxy: { kind: 'object' },
    },
  },
  {
    name: 'RoutePolicy',
    props: () => ({ timeout: Duration.seconds(5), retries: { attempts: 3, perTryTimeout: Duration.seconds(1) } }),
    run: (c, p) => { new RoutePolicy(c, 'subject', { host: release(c), ...p }); },
    fields: {
      'timeout': { kind: 'duration' },
      'retries': { kind: 'object' },
      'retries.attempts': { kind: 'count' },
      'retries.perTryTimeout': { kind: 'duration' },
      'retries.retryOn': { kind: 'array' },
      'retries.retryNonIdempotent': { kind: 'bool' },
      'matches': { kind: 'array' },
      'name': { kind: 'dns1123' },
      'fault': { kind: 'object' },
    },
  },
  {
    name: 'RoutePolicy.fault',
    props: () => ({ host: undefined, fault: { delay: { fixedDelay: Duration.seconds(2), percent: 10 }, abort: { httpStatus: 503, percent: 5 } } }),
    run: (c, p) => { new RoutePolicy(c, 'subject', { ...p, host: release(c) }); },
    fields: {
      'fault.delay': { kind: 'object' },
      'fault.delay.fixedDelay': { kind: 'duration', required: true },
      'fault.delay.percent': { kind: 'percent', required: true },
      'fault.abort.httpStatus': { kind: 'status', required: true },
      'fault.abort.percent': { kind: 'percent', required: true },
    },
  },
  {
    name: 'ServiceHost.fromAttributes',
    props: () => ({ mesh: istio(), serviceName: 'ratings', namespace: 'shop', port: 9080 }),
    run: (c, p) => { new RoutePolicy(c, 'subject', { host: ServiceHost.fromAttributes(p), timeout: Duration.seconds(5) }); },
    fields: {
      mesh: { kind: 'mesh', required: true },
      serviceName: { kind: 'dns1035', required: true },
      namespace: { kind: 'dns1123' },
      port: { kind: 'port', required: true },
    },
    factory: 'ServiceHost.fromAttributes',
  },
  {
    name: 'CircuitBreaker',
    props: () => ({
      connectionPool: { maxConnections: 100, http1MaxPendingRequests: 10, connectTimeout: Duration.seconds(1), idleTimeout: Duration.minutes(5) },
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
      loadBalancer: LoadBalancer.leastRequest(),
      h2UpgradePolicy: H2UpgradePolicy.UPGRADE,
      localityLoadBalancing: { enabled: true, distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] },
      tls: UpstreamTls.istioMutual(),
    }),
    run: (c, p) => { new CircuitBreaker(c, 'subject', { host: release(c), ...p }); },
    fields: {
      'connectionPool': { kind: 'object' },
      'connectionPool.maxConnections': { kind: 'count' },
      'connectionPool.http1MaxPendingRequests': { kind: 'count' },
      'connectionPool.connectTimeout': { kind: 'duration' },
      'connectionPool.idleTimeout': { kind: 'duration' },
      'outlierDetection': { kind: 'object' },
      'outlierDetection.consecutive5xxErrors': { kind: 'count' },
      'outlierDetection.interval': { kind: 'duration' },
      'outlierDetection.baseEjectionTime': { kind: 'duration' },
      'outlierDetection.maxEjectionPercent': { kind: 'percent' },
      'loadBalancer': { kind: 'instance' },
      'h2UpgradePolicy': { kind: 'enum' },
      'localityLoadBalancing': { kind: 'object' },
      'localityLoadBalancing.enabled': { kind: 'bool' },
      'localityLoadBalancing.distribute': { kind: 'array' },
      'tls': { kind: 'instance' },
    },
  },
  {
    name: 'CanaryVersion.withTrafficPolicy',
    props: () => ({
      connectionPool: { maxConnections: 10 },
      outlierDetection: { consecutive5xxErrors: 2 },
      loadBalancer: LoadBalancer.random(),
      h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE,
      localityLoadBalancing: { failover: [{ from: 'us-east', to: 'us-west' }], failoverPriority: ['topology.istio.io/network'] },
      tls: UpstreamTls.simple({ sni: 'reviews.example.com' }),
    }),
    run: viaRelease(p => v2().withTrafficPolicy(p), canary => ({ canary })),
    fields: {
      'connectionPool': { kind: 'object' },
      'connectionPool.maxConnections': { kind: 'count' },
      'outlierDetection': { kind: 'object' },
      'outlierDetection.consecutive5xxErrors': { kind: 'count' },
      'loadBalancer': { kind: 'instance' },
      'h2UpgradePolicy': { kind: 'enum' },
      'localityLoadBalancing': { kind: 'object' },
      'localityLoadBalancing.failover': { kind: 'array' },
      'localityLoadBalancing.failoverPriority': { kind: 'stringArray' },
      'tls': { kind: 'instance' },
    },
  },
  {
    name: 'UpstreamTls.simple',
    props: () => ({ sni: 'reviews.example.com', caCertificates: '/etc/certs/ca.pem', subjectAltNames: ['reviews.example.com'] }),
    run: (c, p) => { new CircuitBreaker(c, 'subject', { host: release(c), tls: UpstreamTls.simple(p) }); },
    fields: {
      sni: { kind: 'subdomain' },
      caCertificates: { kind: 'path' },
      subjectAltNames: { kind: 'stringArray' },
      insecureSkipVerify: { kind: 'bool' },
    },
  },
  {
    name: 'UpstreamTls.mutual',
    props: () => ({ clientCertificate: '/etc/certs/client.pem', privateKey: '/etc/certs/key.pem' }),
    run: (c, p) => { new CircuitBreaker(c, 'subject', { host: release(c), tls: UpstreamTls.mutual(p) }); },
    fields: {
      clientCertificate: { kind: 'path', required: true },
      privateKey: { kind: 'path', required: true },
    },
  },
  {
    name: 'LoadBalancer.consistentHashByHeader',
    props: () => ({ header: 'x-user' }),
    run: (c, p) => { new CircuitBreaker(c, 'subject', { host: release(c), loadBalancer: LoadBalancer.consistentHashByHeader(p.header) }); },
    fields: { header: { kind: 'header', required: true } },
  },
  {
    name: 'IngressGateway',
    props: () => ({
      mesh: istio(),
      listeners: [GatewayListener.http()],
      name: 'public',
      namespace: 'edge',
      allowedRoutes: AllowedRoutes.allNamespaces(),
      implementation: GatewayImplementation.istio(),
      istioSelector: { istio: 'ingressgateway' },
    }),
    run: (c, p) => { new IngressGateway(c, 'subject', p); },
    fields: {
      mesh: { kind: 'mesh', required: true },
      listeners: { kind: 'array', required: true },
      name: { kind: 'dns1123' },
      namespace: { kind: 'dns1123' },
      allowedRoutes: { kind: 'instance' },
      implementation: { kind: 'instance' },
      istioSelector: { kind: 'labels' },
    },
  },
  {
    name: 'GatewayListener.https',
    props: () => ({ name: 'https', port: 443, hostname: 'shop.example.com', certificate: TlsCertificate.fromSecret('shop-tls') }),
    run: (c, p) => { new IngressGateway(c, 'subject', { mesh: istio(), listeners: [GatewayListener.https(p)] }); },
    fields: {
      name: { kind: 'dns1123' },
      port: { kind: 'port' },
      hostname: { kind: 'hostname' },
      certificate: { kind: 'instance', required: true },
    },
  },
  {
    name: 'GatewayListener.http',
    props: () => ({ name: 'http', port: 80, hostname: 'shop.example.com', redirectToHttps: false }),
    run: (c, p) => { new IngressGateway(c, 'subject', { mesh: istio(), listeners: [GatewayListener.http(p)] }); },
    fields: { name: { kind: 'dns1123' }, port: { kind: 'port' }, hostname: { kind: 'hostname' }, redirectToHttps: { kind: 'bool' } },
  },
  {
    name: 'TlsCertificate.certManager',
    // Istio reads credentialName where its gateway pods run (istio-system here), so the Secret is there
    props: () => ({ secretName: 'shop-tls', issuerName: 'letsencrypt', namespace: 'istio-system', dnsNames: ['shop.example.com'] }),
    run: (c, p) => {
      new IngressGateway(c, 'subject', { mesh: istio(), namespace: 'edge', listeners: [GatewayListener.https({ certificate: TlsCertificate.certManager(p) })] });
    },
    fields: {
      secretName: { kind: 'dns1123', required: true },
      issuerName: { kind: 'subdomain', required: true },
      namespace: { kind: 'dns1123' },
      issuerKind: { kind: 'enum' },
      dnsNames: { kind: 'dnsArray' },
    },
  },
  {
    name: 'AllowedRoutes.namespacesWithLabels',
    props: () => ({ labels: { team: 'shop' } }),
    run: (c, p) => {
      new IngressGateway(c, 'subject', {
        mesh: Mesh.fromAttributes({ provider: MeshProvider.gatewayApi() }),
        implementation: GatewayImplementation.istio(),
        listeners: [GatewayListener.http()],
        allowedRoutes: AllowedRoutes.namespacesWithLabels(p.labels),
      });
    },
    fields: { labels: { kind: 'labels', required: true } },
  },
  {
    name: 'GatewayImplementation.withController',
    props: () => ({ className: 'envoy', controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' }),
    run: (c, p) => {
      new IngressGateway(c, 'subject', {
        mesh: Mesh.fromAttributes({ provider: MeshProvider.gatewayApi() }),
        listeners: [GatewayListener.http()],
        implementation: GatewayImplementation.withController(p.className, p.controllerName),
      });
    },
    fields: { className: { kind: 'subdomain', required: true }, controllerName: { kind: 'text', required: true } },
  },
  {
    name: 'GatewayRoute',
    props: () => ({
      hostnames: ['shop.example.com'],
      name: 'shop',
      namespace: 'shop',
      rules: [{
        name: 'api',
        matches: [RequestMatch.pathPrefix('/api')],
        backends: [GatewayBackend.service('api', 8080)],
        timeout: Duration.seconds(10),
        requestHeaders: { set: { 'x-from': 'gw' }, remove: ['x-debug'] },
        rewrite: { pathPrefix: '/' },
      }],
    }),
    run: (c, p) => { new GatewayRoute(c, 'subject', { gateway: gateway(c, { namespace: 'shop' }), ...p }); },
    fields: {
      'rules': { kind: 'array', required: true },
      'hostnames': { kind: 'dnsArray' },
      'name': { kind: 'dns1123' },
      'namespace': { kind: 'dns1123' },
      'listener': { kind: 'dns1123' },
      'rules.0': { kind: 'object' },
      'rules.0.name': { kind: 'dns1123' },
      'rules.0.matches': { kind: 'array' },
      'rules.0.backends': { kind: 'array' },
      'rules.0.timeout': { kind: 'duration' },
      'rules.0.requestHeaders': { kind: 'object' },
      'rules.0.requestHeaders.set': { kind: 'headerMap' },
      'rules.0.requestHeaders.remove': { kind: 'stringArray' },
      'rules.0.rewrite': { kind: 'object' },
      'rules.0.rewrite.pathPrefix': { kind: 'path' },
    },
  },
  {
    name: 'GatewayRoute.redirect',
    props: () => ({ rules: [{ redirect: { scheme: 'https', hostname: 'shop.example.com', path: '/new', port: 443, statusCode: 302 } }] }),
    run: (c, p) => { new GatewayRoute(c, 'subject', { gateway: gateway(c), ...p }); },
    fields: {
      'rules.0.redirect': { kind: 'object' },
      'rules.0.redirect.scheme': { kind: 'enum' },
      'rules.0.redirect.hostname': { kind: 'hostname' },
      'rules.0.redirect.path': { kind: 'path' },
      'rules.0.redirect.port': { kind: 'port' },
      'rules.0.redirect.statusCode': { kind: 'status' },
    },
  },
  {
    name: 'GatewayBackend.service',
    props: () => ({ name: 'api', port: 8080, namespace: 'shop', weight: 100 }),
    run: (c, p) => {
      new GatewayRoute(c, 'subject', {
        gateway: gateway(c, { namespace: 'shop' }),
        namespace: 'shop',
        rules: [{ backends: [GatewayBackend.service(p.name, p.port, { namespace: p.namespace, weight: p.weight })] }],
      });
    },
    fields: { name: { kind: 'dns1035', required: true }, port: { kind: 'port', required: true }, namespace: { kind: 'dns1123' }, weight: { kind: 'weight' } },
  },
  {
    name: 'StrictMtlsMigration',
    props: () => ({
      mesh: istio(),
      stages: [
        { name: 'permissive', namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }] },
        { name: 'strict', namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] },
      ],
      currentStage: 1,
      nonMeshedClients: [{ name: 'batch', calls: ['legacy'] }],
      plaintextAlert: { namespace: 'monitoring', for: Duration.minutes(5), severity: 'warning' },
    }),
    run: (c, p) => { new StrictMtlsMigration(c, 'subject', p); },
    fields: {
      'mesh': { kind: 'mesh', required: true },
      'stages': { kind: 'array' },
      'currentStage': { kind: 'count' },
      'stages.0.name': { kind: 'dns1123' },
      'stages.0.namespaces': { kind: 'array' },
      'stages.0.namespaces.0.namespace': { kind: 'dns1123', required: true },
      'stages.0.namespaces.0.mode': { kind: 'enum', required: true },
      'stages.1.meshWide': { kind: 'enum' },
      'nonMeshedClients': { kind: 'array' },
      'nonMeshedClients.0.name': { kind: 'text', required: true },
      'nonMeshedClients.0.calls': { kind: 'dnsArray', required: true },
      'plaintextAlert': { kind: 'object' },
      'plaintextAlert.namespace': { kind: 'dns1123' },
      'plaintextAlert.for': { kind: 'duration' },
      'plaintextAlert.severity': { kind: 'severity' },
    },
  },
  {
    name: 'StrictMtlsMigration.workloads',
    props: () => ({
      mesh: istio(),
      namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }],
      workloads: [{ workload: WorkloadSelector.labels({ app: 'reviews' }, { namespace: 'shop', ports: [9080] }), name: 'reviews', mode: MtlsMode.STRICT, portExceptions: [{ port: 9080, mode: MtlsMode.PERMISSIVE }] }],
    }),
    run: (c, p) => { new StrictMtlsMigration(c, 'subject', p); },
    fields: {
      'namespaces': { kind: 'array' },
      'workloads': { kind: 'array' },
      'workloads.0.workload': { kind: 'instance', required: true },
      'workloads.0.name': { kind: 'dns1123' },
      'workloads.0.mode': { kind: 'enum' },
      'workloads.0.portExceptions': { kind: 'array' },
      'workloads.0.portExceptions.0.port': { kind: 'port', required: true },
      'workloads.0.portExceptions.0.mode': { kind: 'enum', required: true },
    },
  },
  {
    name: 'WorkloadSelector.labels',
    props: () => ({ labels: { app: 'reviews' }, namespace: 'shop', ports: [9080] }),
    run: (c, p) => {
      new MeshAuthorization(c, 'subject', { mesh: istio(), workload: WorkloadSelector.labels(p.labels, { namespace: p.namespace, ports: p.ports }), allow: [] });
    },
    fields: { labels: { kind: 'labels', required: true }, namespace: { kind: 'dns1123' }, ports: { kind: 'portArray' } },
    factory: 'WorkloadSelector.labels',
  },
  {
    name: 'MeshAuthorization',
    props: () => ({
      mesh: istio(),
      name: 'reviews',
      namespace: 'shop',
      denyByDefault: true,
      allow: [{ name: 'viewers', from: [Peer.serviceAccount('productpage', 'shop'), Peer.namespace('shop')], methods: [HttpMethod.GET], paths: ['/reviews/*'], ports: [9080] }],
      deny: [{ from: [Peer.outsideNamespaces(['admin'])], paths: ['/admin/*'] }],
    }),
    run: (c, p) => { new MeshAuthorization(c, 'subject', p); },
    fields: {
      'mesh': { kind: 'mesh', required: true },
      'name': { kind: 'dns1123' },
      'namespace': { kind: 'dns1123' },
      'denyByDefault': { kind: 'bool' },
      'workload': { kind: 'instance' },
      'allow': { kind: 'array' },
      'allow.0.name': { kind: 'dns1123' },
      'allow.0.from': { kind: 'array' },
      'allow.0.methods': { kind: 'array' },
      'allow.0.paths': { kind: 'stringArray' },
      'allow.0.ports': { kind: 'portArray' },
      'deny': { kind: 'array' },
    },
  },
  {
    name: 'MeshAuthorization.jwt',
    props: () => ({
      mesh: istio(),
      namespace: 'shop',
      jwt: {
        issuer: 'https://issuer.example.com',
        jwksUri: 'https://issuer.example.com/jwks',
        audiences: ['shop'],
        outputPayloadToHeader: 'x-jwt-payload',
        fromHeaders: [{ name: 'x-token', prefix: 'Bearer ' }],
        fromParams: ['token'],
      },
      allow: [{ from: [Peer.jwt('https://issuer.example.com')], claims: [{ claim: 'role', values: ['admin'] }] }],
    }),
    run: (c, p) => { new MeshAuthorization(c, 'subject', p); },
    fields: {
      'jwt': { kind: 'object' },
      'jwt.issuer': { kind: 'text', required: true },
      'jwt.jwksUri': { kind: 'url', required: true },
      'jwt.audiences': { kind: 'stringArray' },
      'jwt.outputPayloadToHeader': { kind: 'header' },
      'jwt.fromHeaders': { kind: 'array' },
      'jwt.fromHeaders.0.name': { kind: 'header', required: true },
      'jwt.fromHeaders.0.prefix': { kind: 'text' },
      'jwt.fromParams': { kind: 'stringArray' },
      'allow.0.claims': { kind: 'array' },
      'allow.0.claims.0.claim': { kind: 'text', required: true },
      'allow.0.claims.0.values': { kind: 'stringArray', required: true },
    },
  },
  {
    name: 'MeshAuthorization.to',
    props: () => ({
      mesh: istio(),
      namespace: 'shop',
      allow: [{
        to: [{ methods: [HttpMethod.GET], paths: ['/reviews/*'], ports: [9080] }, { methods: [HttpMethod.POST], paths: ['/reviews/search'] }],
        when: [Condition.header('x-api-version', ['v1'])],
      }],
    }),
    run: (c, p) => { new MeshAuthorization(c, 'subject', p); },
    fields: {
      'allow.0.to': { kind: 'array' },
      'allow.0.to.0.methods': { kind: 'array' },
      'allow.0.to.0.paths': { kind: 'stringArray' },
      'allow.0.to.0.ports': { kind: 'portArray' },
      'allow.0.when': { kind: 'array' },
    },
  },
  ...conditionEntries(),
  {
    name: 'Peer.serviceAccount',
    props: () => ({ name: 'productpage', namespace: 'shop' }),
    run: (c, p) => { new MeshAuthorization(c, 'subject', { mesh: istio(), namespace: 'shop', allow: [{ from: [Peer.serviceAccount(p.name, p.namespace)] }] }); },
    fields: { name: { kind: 'subdomain', required: true }, namespace: { kind: 'dns1123', required: true } },
    factory: 'MeshIdentity.serviceAccount',
  },
  {
    name: 'Peer.namespace',
    props: () => ({ namespace: 'shop' }),
    run: (c, p) => { new MeshAuthorization(c, 'subject', { mesh: istio(), namespace: 'shop', allow: [{ from: [Peer.namespace(p.namespace)] }] }); },
    fields: { namespace: { kind: 'dns1123', required: true } },
  },
  {
    name: 'MeshInstall (Istio)',
    props: () => ({
      controlPlane: MeshControlPlane.istio({ version: '1.24.0', namespace: 'istio-system', holdApplicationUntilProxyStarts: true, workloadCertTtl: Duration.hours(24) }),
      method: InstallMethod.flux({ namespace: 'flux-system', interval: Duration.minutes(10) }),
      namespaces: [{ name: 'shop', egressHosts: ['./*', 'istio-system/*'] }],
      injectionKillSwitch: false,
    }),
    run: (c, p) => { new MeshInstall(c, 'subject', p); },
    fields: {
      'controlPlane': { kind: 'instance', required: true },
      'method': { kind: 'instance', required: true },
      'namespaces': { kind: 'array' },
      'namespaces.0.name': { kind: 'dns1123', required: true },
      'namespaces.0.revision': { kind: 'dns1123' },
      'namespaces.0.egressHosts': { kind: 'stringArray' },
      'injectionKillSwitch': { kind: 'bool' },
    },
  },
  {
    name: 'MeshControlPlane.istio',
    props: () => ({ namespace: 'istio-system', workloadCertTtl: Duration.hours(24), revisions: [{ name: '1-24-0', version: '1.24.0', tags: ['stable'] }] }),
    run: (c, p) => { new MeshInstall(c, 'subject', { controlPlane: MeshControlPlane.istio(p), method: InstallMethod.flux() }); },
    fields: {
      'version': { kind: 'text' },
      'namespace': { kind: 'dns1123' },
      'workloadCertTtl': { kind: 'duration' },
      'revisions': { kind: 'array' },
      'revisions.0.name': { kind: 'dns1123', required: true },
      'revisions.0.version': { kind: 'text', required: true },
      'revisions.0.tags': { kind: 'dnsArray' },
      'profile': { kind: 'enum' },
      'outboundTrafficPolicy': { kind: 'enum' },
      'proxyResources': { kind: 'object' },
      'istiod': { kind: 'object' },
      'meshPeerAuthentication': { kind: 'bool' },
      'chartValues': { kind: 'object' },
    },
  },
  {
    name: 'MeshControlPlane.linkerd',
    props: () => ({ chartVersion: '2025.1.2', namespace: 'linkerd', trustAnchor: TrustAnchor.fromPem('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), highAvailability: false, viz: false }),
    run: (c, p) => { new MeshInstall(c, 'subject', { controlPlane: MeshControlPlane.linkerd(p), method: InstallMethod.argoCd() }); },
    fields: {
      chartVersion: { kind: 'text', required: true },
      namespace: { kind: 'dns1123' },
      trustAnchor: { kind: 'instance' },
      highAvailability: { kind: 'bool' },
      viz: { kind: 'bool' },
      defaultInboundPolicy: { kind: 'enum' },
    },
  },
  {
    name: 'InstallMethod.argoCd',
    props: () => ({ namespace: 'argocd', project: 'default', server: 'https://kubernetes.default.svc', automated: true }),
    run: (c, p) => { new MeshInstall(c, 'subject', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.argoCd(p) }); },
    fields: { namespace: { kind: 'dns1123' }, project: { kind: 'dns1123' }, server: { kind: 'url' }, automated: { kind: 'bool' } },
  },
  {
    name: 'InstallMethod.flux',
    props: () => ({ namespace: 'flux-system', interval: Duration.minutes(5) }),
    run: (c, p) => { new MeshInstall(c, 'subject', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux(p) }); },
    fields: { namespace: { kind: 'dns1123' }, interval: { kind: 'duration' } },
  },
  {
    name: 'MeshProvider.istio',
    props: () => ({
      routingApi: IstioRoutingApi.ISTIO,
      apiVersion: IstioApiVersion.V1,
      revision: '1-24-0',
      dataPlaneMode: IstioDataPlaneMode.SIDECAR,
      rootNamespace: 'istio-system',
      trustDomain: 'cluster.local',
      gatewayApiVersion: GatewayApiVersion.V1,
    }),
    run: (c, p) => { release(c, 'subject'); MeshProvider.istio(p); },
    fields: {
      routingApi: { kind: 'enum' },
      apiVersion: { kind: 'enum' },
      revision: { kind: 'dns1123' },
      dataPlaneMode: { kind: 'enum' },
      rootNamespace: { kind: 'dns1123' },
      trustDomain: { kind: 'subdomain' },
      gatewayApiVersion: { kind: 'enum' },
      experimentalChannel: { kind: 'bool' },
    },
    factory: 'MeshProvider.istio',
  },
  {
    name: 'MeshProvider.linkerd',
    props: () => ({ version: LinkerdVersion.V2_18, routingApi: LinkerdRoutingApi.SMI, smiApiVersion: SmiApiVersion.V1ALPHA1, clusterDomain: 'cluster.local' }),
    run: () => { MeshProvider.linkerd(_p()); },
    fields: { version: { kind: 'instance' }, routingApi: { kind: 'enum' }, gatewayApiVersion: { kind: 'enum' }, smiApiVersion: { kind: 'enum' }, clusterDomain: { kind: 'subdomain' } },
    factory: 'MeshProvider.linkerd',
  },
  {
    name: 'MeshProvider.gatewayApi',
    props: () => ({ apiVersion: GatewayApiVersion.V1, experimentalChannel: false }),
    run: () => { MeshProvider.gatewayApi(_p()); },
    fields: { apiVersion: { kind: 'enum' }, experimentalChannel: { kind: 'bool' } },
    factory: 'MeshProvider.gatewayApi',
  },
  {
    name: 'LinkerdVersion.of',
    props: () => ({ version: '2.18' }),
    run: () => { LinkerdVersion.of(_p().version); },
    fields: { version: { kind: 'text', required: true } },
    factory: 'LinkerdVersion.of',
  },
  {
    name: 'MeshIdentity.serviceAccount',
    props: () => ({ name: 'productpage', namespace: 'shop' }),
    run: () => { MeshIdentity.serviceAccount(_p().name, _p().namespace); },
    fields: { name: { kind: 'subdomain', required: true }, namespace: { kind: 'dns1123', required: true } },
    factory: 'MeshIdentity.serviceAccount',
  },
  {
    name: 'MeshCluster.assign',
    props: () => ({ clusterName: 'prod-eu-1' }),
    run: c => { MeshCluster.assign(c, _p().clusterName); },
    fields: { clusterName: { kind: 'subdomain', required: true } },
    factory: 'MeshCluster.assign',
  },
];

// Factories without a construct read their props through here (set by `call`).
let current: any;
function _p(): any {
  return current;
}

/** Calls `entry` with `props` in a fresh chart and synthesizes it. */
export function call(entry: EntryPoint, props: any): void {
  current = props;
  const c = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  entry.run(c, props);
  Testing.synth(c);
}

/** Replaces the value at a dotted path (array indexes as numbers) in a deep copy of `props`. */
export function withValue(props: any, path: string, value: unknown): any {
  const keys = path.split('.');
  const copy = (o: any): any => (Array.isArray(o) ? [...o] : { ...o });
  const root = copy(props);
  let node = root;
  for (const k of keys.slice(0, -1)) {
    node[k] = node[k] === undefined || node[k] === null || typeof node[k] !== 'object' ? {} : copy(node[k]);
    node = node[k];
  }
  const last = keys[keys.length - 1];
  if (value === OMIT) delete node[last];
  else node[last] = value;
  return root;
}

/** Stands for a prop left out entirely. */
export const OMIT = Symbol('omit');

const LONG = 'a'.repeat(300);
const UNICODE = 'ünïcødé';
const common = [null, 42, true, {}, [], NaN];

/** Wrong values per kind, as a plain-JS caller passes them. */
export const BAD: Record<Kind, unknown[]> = {
  mesh: [null, 'istio', {}, { provider: 'istio' }, 42],
  dns1123: [...common, '', LONG, UNICODE, 'UPPER', 'a b', '-a', 'a.b'],
  dns1035: [...common, '', LONG, UNICODE, 'UPPER', '1abc', 'a_b'],
  subdomain: [...common, '', LONG, UNICODE, 'UPPER', 'a b'],
  hostname: [...common, '', LONG, UNICODE, 'UPPER.example.com', '10.0.0.1', `${'a'.repeat(64)}.example.com`, 'a..b', 'foo.*.com'],
  text: [null, 42, true, {}, [], ''],
  image: [null, 42, {}, '', ' ', 'a b'],
  path: [...common, '', 'api', LONG.replace(/^/, 'x'), '/a b', `/${UNICODE}\n`],
  header: [...common, '', 'a b', UNICODE, 'x:y', LONG],
  query: [...common, '', 'a b', UNICODE, LONG],
  regex: [null, 42, {}, ''],
  port: [null, '80', NaN, Infinity, -1, 0, 1.5, 70000, {}],
  count: [null, '3', NaN, Infinity, -1, 1.5, {}],
  percent: [null, '5', NaN, Infinity, -1, 101, {}],
  weight: [null, '5', NaN, Infinity, -1, 101, 1.5],
  ratio: [null, '0.2', NaN, Infinity, -1, 2],
  status: [null, '503', NaN, Infinity, -1, 99, 600, 1.5],
  duration: [null, 5, 'PT5S', '5s', {}, NaN, Duration.millis(0), Duration.millis(0.5), Duration.hours(100000), Duration.millis(100500.5)],
  bool: ['yes', 1, {}, 'false'],
  labels: ['app=x', 42, [], { '': 'x' }, { 'a b': 'x' }, { app: 42 }, { app: LONG }, { app: 'a b' }, { [LONG]: 'x' }, { app: null }],
  env: ['x', 42, [], { '': 'x' }, { '1a': 'x' }, { 'a b': 'x' }, { A: 42 }, { A: null }],
  headerMap: ['x', 42, [], { '': 'x' }, { 'a b': 'x' }, { a: 42 }, { a: '' }, { [UNICODE]: 'x' }],
  severity: [42, '', 'a b', LONG, UNICODE],
  enum: ['bogus', 42, {}, true, 'STRICT ', 'get'],
  object: ['x', 42, true, []],
  array: ['x', 42, {}, [null], [42], ['x']],
  stringArray: ['x', 42, {}, [null], [42], ['']],
  dnsArray: ['x', 42, {}, [null], [42], [''], ['UPPER'], [UNICODE], ['a', 'a']],
  portArray: ['x', 42, {}, [null], ['80'], [0], [70000], [NaN]],
  instance: ['x', 42, {}, [], true],
  steps: ['x', 42, {}, [], [null], [50, 10, 100], [10, 50], [NaN, 100], [10, 10, 100], [-1, 100], [Infinity]],
  url: [null, 42, {}, '', 'not a url', 'ftp://x'],
  cidrArray: ['x', 42, {}, [], [null], [42], [''], ['300.1.1.1'], ['10.0.0.0/33'], ['::1/129'], ['10.0.0.0/8/1'], ['10.0.0.0/x'], ['example.com']],
};

/**
 * Whether `value` may legitimately be accepted for `field` (it is then not an error to accept
 * it): `null` for an optional prop is "left out" for jsii callers.
 */
export function mayAccept(field: Field, value: unknown): boolean {
  return value === null && !field.required;
}

/** Every (entry point, prop, wrong value) combination, with left-out required props. */
export function allCases(): { entry: EntryPoint; path: string; field: Field; value: unknown }[] {
  const cases: { entry: EntryPoint; path: string; field: Field; value: unknown }[] = [];
  for (const entry of ENTRY_POINTS) {
    for (const [path, field] of Object.entries(entry.fields)) {
      const values = [...(field.required ? [OMIT, undefined] : []), ...BAD[field.kind]];
      for (const value of values) cases.push({ entry, path, field, value });
    }
  }
  return cases;
}

export type Outcome = 'ok' | 'accepted' | 'type-error' | 'no-path' | 'other-error';

/** Runs one case and says how it ended. */
export function outcome(entry: EntryPoint, props: any): { outcome: Outcome; message?: string } {
  try {
    call(entry, props);
    return { outcome: 'accepted' };
  } catch (e) {
    const err = e as Error;
    if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || !(err instanceof Error)) {
      return { outcome: 'type-error', message: `${err?.name}: ${err?.message}` };
    }
    const first = err.message.split('\n')[0];
    const named = first.startsWith('test/') || /^[A-Z][A-Za-z]*\.[a-z][A-Za-z]*: /.test(first);
    return named ? { outcome: 'ok', message: err.message } : { outcome: 'no-path', message: err.message };
  }
}
