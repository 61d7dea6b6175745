import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { CanaryVersion } from './canary-version';
import { CanaryVersionIntent } from './canary-version-intent';
import { declareServiceVersions, SERVICE_FIELDS, ServiceVersions, ServiceVersionsSpec } from './service-versions';
import { HostRouting } from '../host-routing';
import { MeshIdentity, WorkloadSelector } from '../identity';
import { IMesh } from '../mesh';
import { IMeshHost } from '../mesh-host';
import { MeshWorkload } from '../mesh-workload';
import { MatchIntent, RouteIntent } from '../model/intents';
import { RequestMatch } from '../model/match';
import { ServiceProtocol } from '../model/protocol';
import { RouteAction, RouteDestination, TrafficRule } from '../model/route-action';
import { checkDns1123Label, checkPercent, checkServiceName, invalid } from '../private/errors';
import { faultInjection, faultIntent } from '../private/fault';
import { headerModification, headerModifierIntent } from '../private/headers';
import { checkGrpcMatches, checkTcpProps } from '../private/protocol';
import { positiveDuration, retryIntent, retryPolicy } from '../private/retry';
import { arrayOf, Check, checkProps, dns1123Label, duration, fieldsOnce, instanceOf, number, object, optional, Problems, required } from '../private/validation';

/**
 * Props for `TrafficRoutes`.
 */
export interface TrafficRoutesProps {
  /** The mesh that renders the routes. */
  readonly mesh: IMesh;

  /** The Service clients call (the host). One Service of this name selects every version. */
  readonly serviceName: string;

  /**
   * The namespace of the objects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /** The Service port, named after `protocol`, with the `appProtocol` the mesh reads it from. */
  readonly port: number;

  /**
   * The container port behind the Service port.
   * @default - the same as `port`
   */
  readonly targetPort?: number;

  /**
   * What the port serves. gRPC: rules match gRPC methods (`RequestMatch.grpcMethod()`) and
   * headers, and Gateway API routes are GRPCRoutes. TCP: connections are split by the default
   * route's weights only (Istio `tcp` routes, Gateway API TCPRoute); rules and every HTTP feature
   * (mirror, timeout, retries, fault, header changes) are errors.
   * @default ServiceProtocol.HTTP
   */
  readonly protocol?: ServiceProtocol;

  /**
   * The versions of the service: deployed here (`CanaryVersion.deploy()`), existing Deployments
   * (`.fromDeployment()`) or label selectors (`.fromLabels()`). Names are unique.
   */
  readonly versions: CanaryVersion[];

  /**
   * Routes for matched requests, in order: the first rule that matches a request decides, on
   * every provider.
   * @default - none: every request takes the default route
   */
  readonly rules?: TrafficRule[];

  /** Where requests that match no rule go: the host's one default route. */
  readonly defaultRoute: RouteAction;
}

/**
 * Routes one service host: any number of versions, ordered rules that match requests by path,
 * headers, cookies, query parameters or method and send them to a version or a weighted split,
 * with mirroring, timeouts, retries, fault injection and header changes; and exactly one default
 * route. Istio: a VirtualService and a DestinationRule with a subset per version. Gateway API
 * and Linkerd: an HTTPRoute over per-version Services (SMI: a TrafficSplit for the default
 * route's split); a GRPCRoute for a gRPC host, a TCPRoute (Istio: `tcp` routes) for a TCP host,
 * which is routed by weight only. `CanaryRelease` is this with two versions and steps.
 */
export class TrafficRoutes extends Construct implements IMeshHost {
  /** The Service clients call. */
  public readonly service: kplus.Service;
  /**
   * The identity every deployed version shares (a ServiceAccount named after the service), when
   * any version is deployed here.
   */
  public readonly identity?: MeshIdentity;
  /** The pods of every version (the labels they share) and their port, for policies. */
  public readonly workloadSelector: WorkloadSelector;
  /**
   * The objects the mesh renders for the host, shared with every construct on it: an escape
   * hatch (see `CanaryRelease.routing`).
   */
  public readonly routing: HostRouting;
  public readonly mesh: IMesh;
  public readonly hostName: string;
  public readonly hostNamespace?: string;
  public readonly port: number;
  /** What the port serves (always set; optional as in `IMeshHost`). */
  public readonly protocol?: ServiceProtocol;
  private readonly workloads: Map<string, MeshWorkload>;

  constructor(scope: Construct, id: string, props: TrafficRoutesProps) {
    super(scope, id);
    const built = buildTrafficRoutes(this, props);
    this.mesh = props.mesh;
    this.hostName = props.serviceName;
    this.hostNamespace = props.namespace;
    this.port = props.port;
    this.protocol = props.protocol ?? ServiceProtocol.HTTP;
    this.service = built.service;
    this.identity = built.identity;
    this.workloadSelector = built.workloadSelector;
    this.routing = built.host.routing;
    this.workloads = built.workloads;
  }

  /** The workload of `version`, when this construct deploys it. */
  public workload(version: string): MeshWorkload | undefined {
    return this.workloads.get(version);
  }
}

const VERSION = 'CanaryVersion (CanaryVersion.deploy(), .fromDeployment() or .fromLabels())';

const ACTION: Record<string, Check> = {
  destination: required(instanceOf(RouteDestination, 'RouteDestination (RouteDestination.version(), .weighted())')),
  mirror: optional(object({ version: required(dns1123Label), percent: optional(number(0, 100, { fractional: true })) })),
  timeout: optional(duration()),
  retries: optional(retryPolicy),
  fault: optional(faultInjection),
  requestHeaders: optional(headerModification),
  responseHeaders: optional(headerModification),
};

/** The checks of TrafficRoutesProps. */
const PROPS = fieldsOnce(() => ({
  ...SERVICE_FIELDS(),
  versions: required(arrayOf(instanceOf(CanaryVersion, VERSION), { min: 1 })),
  rules: optional(arrayOf(object({
    ...ACTION,
    matches: required(arrayOf(instanceOf(RequestMatch, 'RequestMatch (RequestMatch.header(), .of(), ...)'), { min: 1 })),
    name: optional(dns1123Label),
  }))),
  defaultRoute: required(object(ACTION)),
}));

/** Validates `props` (every problem in one error), then declares the service, its versions and routes. */
function buildTrafficRoutes(scope: Construct, props: TrafficRoutesProps): ServiceVersions {
  const problems = new Problems(scope);
  checkProps(scope, props, PROPS(), '', problems);
  problems.throwIfAny();
  problems.run(() => checkServiceName(scope, 'serviceName', props.serviceName));
  if (props.namespace != null) problems.run(() => checkDns1123Label(scope, 'namespace', props.namespace!));
  const versions = props.versions.map((v, i) => problems.run(() => v._toIntent(scope, `versions[${i}]`)));
  const names = props.versions.map(v => v.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) problems.run(() => invalid(scope, 'versions', twice, 'versions with unique names'));
  const protocol = props.protocol ?? ServiceProtocol.HTTP;
  const rules = props.rules ?? [];
  const d = props.defaultRoute;
  // A TCP host splits connections by weight: nothing that reads a request applies.
  checkTcpProps(scope, problems, protocol, () => ({
    'rules': [rules.length > 0 ? `${rules.length} rule(s)` : undefined, 'rules (request matches)'],
    'defaultRoute.mirror': [d.mirror, 'mirrors'],
    'defaultRoute.timeout': [d.timeout?.toHumanString(), 'request timeouts'],
    'defaultRoute.retries': [d.retries, 'retries'],
    'defaultRoute.fault': [d.fault, 'injected faults'],
    'defaultRoute.requestHeaders': [d.requestHeaders, 'header changes'],
    'defaultRoute.responseHeaders': [d.responseHeaders, 'header changes'],
  }));
  const routes: RouteIntent[] = [];
  rules.forEach((r, i) => {
    const prop = `rules[${i}]`;
    const name = r.name ?? `rule-${i + 1}`;
    const route = problems.run(() => {
      const matches = r.matches.map((m, j) => m._toIntent(scope, `${prop}.matches[${j}]`));
      checkGrpcMatches(scope, `${prop}.matches`, matches, protocol);
      return routeIntent(scope, prop, r, name, matches, names);
    });
    if (route) routes.push(route);
  });
  const defaultRoute = problems.run(() => routeIntent(scope, 'defaultRoute', props.defaultRoute, 'default', [], names));
  const ruleNames = routes.map(r => r.name);
  const sameName = ruleNames.find((n, i) => ruleNames.indexOf(n) !== i || n === ('default'));
  if (sameName !== undefined) problems.run(() => invalid(scope, 'rules', sameName, 'rule names unique on the host (and not the default route\'s)'));
  problems.throwIfAny();

  return declareTrafficRoutes(scope, {
    mesh: props.mesh,
    serviceName: props.serviceName,
    namespace: props.namespace,
    port: props.port,
    targetPort: props.targetPort ?? props.port,
    protocol,
    versions: versions.map(intent => ({ intent: intent as CanaryVersionIntent, workloadId: `Workload-${intent!.name}` })),
  }, [...routes, defaultRoute!]);
}

/**
 * The one path from validated versions and routes to the host: the service and its versions,
 * then the routes in order. Internal: CanaryRelease declares its release through here.
 */
export function declareTrafficRoutes(scope: Construct, spec: ServiceVersionsSpec, routes: RouteIntent[]): ServiceVersions {
  const built = declareServiceVersions(scope, spec);
  built.host.batch(scope, () => routes.forEach(route => built.host.addRoute(route)));
  return built;
}

/** One rule (or the default route) as a route intent, checked against the declared versions. */
function routeIntent(scope: IConstruct, prop: string, a: RouteAction, name: string, matches: MatchIntent[], versions: string[]): RouteIntent {
  checkDns1123Label(scope, `${prop}.name`, name);
  const backends = a.destination._toIntent(scope, `${prop}.destination`);
  const known = (p: string, v: string) => {
    if (!versions.includes(v)) invalid(scope, p, v, `a version declared in versions (${versions.join(', ')})`);
  };
  backends.forEach((b, i) => known(`${prop}.destination.weights[${i}].version`, b.version!));
  if (a.timeout != null) positiveDuration(scope, `${prop}.timeout`, a.timeout);
  let mirror: RouteIntent['mirror'];
  if (a.mirror) {
    known(`${prop}.mirror.version`, a.mirror.version);
    const percent = a.mirror.percent ?? 100;
    checkPercent(scope, `${prop}.mirror.percent`, percent);
    if (percent === 0) invalid(scope, `${prop}.mirror.percent`, 0, 'above 0 (0 mirrors nothing: leave mirror out)');
    // A mirror copies what the route sends elsewhere; to the version that already gets every
    // request, the mesh would send each request to it twice.
    if (backends.some(b => b.version === a.mirror!.version && b.weight === 100)) {
      invalid(scope, `${prop}.mirror.version`, a.mirror.version, 'a version other than the one that receives every request of the route');
    }
    mirror = { version: a.mirror.version, percent };
  }
  return {
    source: scope,
    name,
    matches,
    backends,
    mirror,
    retries: a.retries ? retryIntent(scope, `${prop}.retries`, a.retries, a.timeout ?? undefined) : undefined,
    timeout: a.timeout ?? undefined,
    fault: a.fault ? faultIntent(scope, `${prop}.fault`, a.fault) : undefined,
    requestHeaders: a.requestHeaders ? headerModifierIntent(scope, `${prop}.requestHeaders`, a.requestHeaders) : undefined,
    responseHeaders: a.responseHeaders ? headerModifierIntent(scope, `${prop}.responseHeaders`, a.responseHeaders) : undefined,
  };
}
