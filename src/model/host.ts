import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HostIntent, RouteDefaultsIntent, RouteIntent, TrafficPolicyIntent, VersionIntent } from './intents';
import { effectiveVersionPolicy } from './policy-merge';
import { withPolicies } from './precedence';
import { protocolMember, ServiceProtocol } from './protocol';
import { DeliveryRenderer, HostObject, HostObjectSink, ProviderRenderers, TrafficRenderer, Unsupported } from './renderer';
import { HostRouting } from '../host-routing';
import type { IMeshHost } from '../mesh-host';
import { checkPort, checkServiceName, invalid, throwUnsupported } from '../private/errors';
import { extend } from '../private/objects';
import { emit, OwnershipError } from '../private/ownership';
import { tcpPolicyProblems } from '../private/protocol';
import { warnNonIdempotentRetries } from '../private/retry';
import { atSynthesis } from '../private/synthesis';
import { recordTarget } from '../private/targets';
import { asksForFailover, FAILOVER_NEEDS_OUTLIER_DETECTION } from '../private/traffic-policy';
import { checkProps, enumOf, meshRef, optional, required, shaped } from '../private/validation';

export interface HostAddress {
  readonly name: string;
  readonly namespace?: string;
  readonly port: number;
  /** undefined: the host's protocol as declared (HTTP for a new host) */
  readonly protocol?: ServiceProtocol;
}

const REGISTRY = new WeakMap<IConstruct, Map<string, MeshHost>>();

/** Host objects are children of the construct that first named the host, under `Host-<id>`. */
const OBJECT_ID_PREFIX = 'Host-';

// The checks of a policy's host, built once.
const HOST = { host: required(shaped(['mesh', 'hostName', 'port'], 'a host: a CanaryRelease or ServiceHost.fromAttributes(...)')) };
const HOST_MESH = { mesh: required(meshRef), protocol: optional(enumOf(ServiceProtocol, 'ServiceProtocol')) };

/** An object of the host: created when an intent first needs it, its content final at synthesis. */
interface Declared {
  readonly object: ApiObject;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** shared with other hosts (a namespace's waypoint): complete from creation, not ours to fill */
  readonly shared: boolean;
}

/**
 * The intents recorded for one service host, and the single place where they are rendered.
 * Every construct that targets the same host (namespace + name) in a chart shares one MeshHost,
 * so the provider emits one object per kind for it. The chart is the scope because it is
 * cdk8s's unit of output (one file, one apply); the same host in two charts of one cluster is an
 * error (see src/private/ownership.ts).
 *
 * A MeshHost is not a construct: cdk8s walks every construct of the app once per chart it writes,
 * so a scope per host would cost every program a construct per service that emits nothing. The
 * host's objects are children of its owner, the construct that first named it (`Host-Resource`
 * for the routing object, `Host-<kind>` for the others), reached through `routing`. They exist
 * from the intent that first needs them, so escape hatches (`addJsonPatch`, labels) work before
 * synthesis; their content is filled in once, at synthesis (during validation, before cdk8s
 * collects the chart's objects).
 */
export class MeshHost {
  /**
   * The host for `address` in the chart of `source`, created by the first construct that names it.
   */
  public static obtain(source: Construct, renderers: ProviderRenderers, address: HostAddress): MeshHost {
    const chart = Chart.of(source);
    const namespace = address.namespace ?? chart.namespace;
    const key = `${namespace ?? ''}/${address.name}`;
    let hosts = REGISTRY.get(chart);
    if (!hosts) {
      hosts = new Map();
      REGISTRY.set(chart, hosts);
    }
    const existing = hosts.get(key);
    if (existing) {
      existing.join(source, renderers, address.port, address.protocol);
      return existing;
    }
    const host = new MeshHost(chart, source, renderers, extend(address, { namespace }));
    recordTarget(chart, renderers.target);
    hosts.set(key, host);
    return host;
  }

  /**
   * The host a policy construct targets (a CanaryRelease or a ServiceHost), after checking its
   * name and port.
   */
  public static of(source: Construct, target: IMeshHost): MeshHost {
    checkProps(source, { host: target }, HOST);
    checkProps(source, target, HOST_MESH, 'host.');
    checkServiceName(source, 'host.hostName', target.hostName);
    checkPort(source, 'host.port', target.port);
    return MeshHost.obtain(source, target.mesh.provider._renderers, {
      name: target.hostName, namespace: target.hostNamespace, port: target.port, protocol: target.protocol ?? undefined,
    });
  }

  public readonly hostName: string;
  public readonly namespace?: string;
  public readonly renderers: ProviderRenderers;
  /** The host's objects, for escape hatches. */
  public readonly routing: HostRouting;
  /** What the host serves, fixed by the first construct on it. */
  public readonly protocol: ServiceProtocol;
  private readonly port: number;
  /** the construct that first named the host: the scope of its objects, named in errors */
  private readonly owner: Construct;
  /** the chart the host is in (hosts are per chart) */
  public readonly chart: Chart;
  private readonly versions = new Map<string, VersionIntent & { source: IConstruct }>();
  private readonly routes: RouteIntent[] = [];
  private defaults?: RouteDefaultsIntent;
  private trafficPolicy?: TrafficPolicyIntent;
  private service?: { source: IConstruct; object: ApiObject };
  private readonly declared = new Map<string, Declared>();
  private readonly content = new Map<string, HostObject>();
  private rendered = false;
  /** the provider's traffic renderer, or the delivery controller that owns the host's routing */
  private traffic: TrafficRenderer;
  private delivery?: { source: IConstruct; renderer: DeliveryRenderer };
  /** inside `batch()`: intents are recorded, their objects declared after the last */
  private batching = 0;
  private pendingDeclare = false;

  private constructor(chart: Chart, owner: Construct, renderers: ProviderRenderers, address: HostAddress) {
    this.chart = chart;
    this.owner = owner;
    this.routing = HostRouting._of(() => new Map([...this.declared].map(([id, d]) => [id, d.object])));
    this.hostName = address.name;
    this.namespace = address.namespace;
    this.renderers = renderers;
    this.traffic = renderers.traffic;
    this.port = address.port;
    this.protocol = address.protocol ?? ServiceProtocol.HTTP;
    // rendered once, at synthesis, by its chart's one validation (src/private/synthesis.ts)
    atSynthesis(chart, () => ({ errors: this.renderOnce(), again: false }));
  }

  /**
   * Hands the host's routing to a delivery controller (Flagger, Argo Rollouts): from now on the
   * host renders through `renderer`, which judges and places every intent of the host (routes,
   * route policies, the circuit breaker). Called by the release before it records anything.
   */
  public setDelivery(source: IConstruct, renderer: DeliveryRenderer): void {
    this.assertOpen(source);
    if (this.delivery) {
      throw new Error(`${source.node.path}: host '${this.hostName}' is already rolled out by ${this.delivery.source.node.path} (${this.delivery.renderer.displayName}); one release drives a host`);
    }
    const versions = [...this.versions.values()].map(v => v.source);
    const recorded = [...this.routes.map(r => r.source), this.defaults?.source, this.trafficPolicy?.source, ...versions]
      .filter((c): c is IConstruct => c !== undefined);
    if (recorded.length > 0 || this.declared.size > 0) {
      throw new Error(`${source.node.path}: host '${this.hostName}' already has intents from ${[...new Set(recorded.map(c => c.node.path))].join(', ')}; `
        + `declare the release that ${renderer.displayName} drives before the constructs that target its host`);
    }
    this.delivery = { source, renderer };
    this.traffic = renderer;
  }

  /**
   * Records several intents of one construct (`record` calls `addVersion`, `addRoute`, ...) and
   * declares the objects they need once, after the last: each declaration renders the host, and a
   * large program records thousands. A batch holds intents that need the same objects (the
   * versions without policies of their own, or the routes), so the objects are created in the
   * order one declaration per intent would create them.
   */
  public batch(source: IConstruct, record: () => void): void {
    this.batching++;
    try {
      record();
    } finally {
      this.batching--;
    }
    if (this.batching === 0 && this.pendingDeclare) {
      this.pendingDeclare = false;
      this.declare(source);
    }
  }

  /** Records a version (subset) of the host. */
  public addVersion(source: IConstruct, version: VersionIntent): void {
    this.assertOpen(source);
    const prior = this.versions.get(version.name);
    if (prior) {
      invalid(source, 'version', version.name, `unique on host '${this.hostName}' (already declared by ${prior.source.node.path})`);
    }
    const l7 = this.protocol === ServiceProtocol.TCP && version.trafficPolicy ? tcpPolicyProblems(version.trafficPolicy) : [];
    if (l7.length > 0) {
      throw new Error(`${source.node.path}: the traffic policy of version '${version.name}' sets ${l7.map(([prop]) => prop).join(', ')}, but host '${this.hostName}' `
        + `serves TCP (${protocolMember(this.protocol)}): ${l7.map(([, , f]) => f).join(', ')} act on HTTP requests, and a TCP connection carries none`);
    }
    if (version.trafficPolicy) this.check(source, this.traffic.unsupportedPolicy(version.trafficPolicy, version.name, this.protocol));
    this.versions.set(version.name, extend(version, { source }));
    this.declare(source);
  }

  /** Records a route, after checking that the provider can express it. */
  public addRoute(route: RouteIntent): void {
    this.assertOpen(route.source);
    this.checkLayer4(route.source, route);
    this.check(route.source, this.traffic.unsupported(route, this.protocol));
    warnNonIdempotentRetries(route.source, route.retries, route.matches);
    for (const b of [...route.backends.map(x => x.version), route.mirror?.version]) {
      if (b !== undefined && !this.versions.has(b)) {
        invalid(route.source, 'version', b, `a version declared on host '${this.hostName}' (${[...this.versions.keys()].join(', ') || 'none'})`);
      }
    }
    if (route.matches.length === 0) {
      const other = this.routes.find(r => r.matches.length === 0);
      if (other) {
        throw new Error(`${route.source.node.path}: host '${this.hostName}' already has a default route from ${other.source.node.path}; a host has one default (unmatched) route`);
      }
    }
    const sameName = this.routes.find(r => r.name === route.name);
    if (sameName) {
      invalid(route.source, 'route name', route.name, `unique on host '${this.hostName}' (already used by ${sameName.source.node.path})`);
    }
    this.routes.push(route);
    this.declare(route.source);
  }

  /** Records the host's circuit breaker / load balancing, after checking the provider can express it. */
  public setTrafficPolicy(policy: TrafficPolicyIntent): void {
    this.assertOpen(policy.source);
    if (this.trafficPolicy) {
      throw new Error(`${policy.source.node.path}: host '${this.hostName}' already has a circuit breaker from ${this.trafficPolicy.source.node.path}; combine them into one`);
    }
    this.check(policy.source, this.traffic.unsupportedPolicy(policy, undefined, this.protocol));
    this.trafficPolicy = policy;
    this.declare(policy.source);
  }

  /** Records the Service object that a construct of this chart created for the host. */
  public bindService(source: IConstruct, object: ApiObject): void {
    if (this.service) {
      throw new Error(`${source.node.path}: host '${this.hostName}' already has its Service from ${this.service.source.node.path}`);
    }
    this.service = { source, object };
  }

  /** Records retries/timeouts that apply to every route of the host. */
  public setRouteDefaults(defaults: RouteDefaultsIntent): void {
    this.assertOpen(defaults.source);
    if (this.defaults) {
      throw new Error(`${defaults.source.node.path}: host '${this.hostName}' already has a route policy from ${this.defaults.source.node.path}; combine them into one`);
    }
    const asRoute = extend(defaults, { name: 'defaults', matches: [], backends: [] });
    this.checkLayer4(defaults.source, asRoute);
    this.check(defaults.source, this.traffic.unsupported(asRoute, this.protocol));
    warnNonIdempotentRetries(defaults.source, defaults.retries, []);
    this.defaults = defaults;
    this.declare(defaults.source);
  }

  /**
   * The merged, ordered view a renderer works from.
   * @param replace substitutes recorded routes (a rollout plan's other steps: same routes, other
   * weights), before policies inherit the default route's backends; records nothing
   */
  public toIntent(replace?: (route: RouteIntent) => RouteIntent): HostIntent {
    const routes = replace ? this.routes.map(replace) : this.routes;
    let catchAll = routes.find(r => r.matches.length === 0);
    if (!catchAll && (routes.length > 0 || this.defaults)) {
      // Requests that match no route would fail (404 on Istio and Gateway API), so a host with only
      // matched routes, or only a policy, gets an explicit default route to the host itself.
      catchAll = { source: this.defaults?.source ?? routes[0].source, name: 'default', matches: [], backends: [{ weight: 100 }] };
    }
    const routing = [...routes.filter(r => r.matches.length > 0 && !r.inheritBackends), ...(catchAll ? [catchAll] : [])];
    const ordered = withPolicies(routing, routes.filter(r => r.inheritBackends));
    return {
      construct: this.owner,
      name: this.hostName,
      namespace: this.namespace,
      port: { name: this.renderers.dataPlane.servicePort(this.protocol).name, number: this.port, protocol: this.protocol },
      versions: [...this.versions.values()].map(({ name, labels, serviceName, trafficPolicy }) => ({ name, labels, serviceName, trafficPolicy })),
      routes: ordered.map(r => this.withDefaults(r)),
      trafficPolicy: this.trafficPolicy,
    };
  }

  private withDefaults(route: RouteIntent): RouteIntent {
    const d = this.defaults;
    if (!d) return route;
    for (const field of ['retries', 'timeout', 'fault'] as const) {
      if (route[field] !== undefined && d[field] !== undefined) {
        throw new Error(`${d.source.node.path}: host '${this.hostName}' gets ${field} both here and from ${route.source.node.path}; set it in one place`);
      }
    }
    const merged = extend(route, { retries: route.retries ?? d.retries, timeout: route.timeout ?? d.timeout, fault: route.fault ?? d.fault });
    checkPerTry(merged.retries?.perTryTimeout, merged.timeout, d.source, this.hostName);
    return merged;
  }

  /**
   * A version's locality failover needs outlier detection on its endpoints, which may come from
   * the host's policy: known only once every intent is recorded.
   */
  private checkVersionPolicies(): void {
    for (const v of this.versions.values()) {
      if (!v.trafficPolicy) continue;
      const effective = effectiveVersionPolicy(this.trafficPolicy, v.trafficPolicy);
      if (asksForFailover(effective) && !effective.outlierDetection) {
        invalid(v.source, `version ${v.name} trafficPolicy.localityLoadBalancing`, v.trafficPolicy.locality ?? this.trafficPolicy?.locality,
          `${FAILOVER_NEEDS_OUTLIER_DETECTION} on the version or the host (CircuitBreaker)`);
      }
    }
  }

  private check(source: IConstruct, problems: Unsupported[]): void {
    throwUnsupported(source, this.traffic.displayName, problems);
  }

  /**
   * A TCP host carries connections, not requests: whatever looks into a request (matches, retries,
   * timeouts, faults, mirroring, header changes) cannot apply, on any mesh. Patterns say which
   * prop; this holds for every way into the host.
   */
  private checkLayer4(source: IConstruct, route: RouteIntent): void {
    if (this.protocol !== ServiceProtocol.TCP) return;
    const l7 = layer7Features(route);
    if (l7.length > 0) {
      throw new Error(`${source.node.path}: host '${this.hostName}' serves TCP (${protocolMember(this.protocol)}, declared by ${this.owner.node.path}): `
        + `${l7.join(', ')} ${l7.length > 1 ? 'apply' : 'applies'} to HTTP requests, and a TCP connection carries none; route a TCP host by weight only`);
    }
  }

  private join(source: IConstruct, renderers: ProviderRenderers, port: number, protocol?: ServiceProtocol): void {
    if (renderers.key !== this.renderers.key) {
      throw new Error(`${source.node.path}: host '${this.hostName}' is rendered by ${this.renderers.traffic.displayName} for ${this.owner.node.path}; every construct on one host must use the same mesh provider`);
    }
    if (port !== this.port) {
      invalid(source, 'port', port, `the port of host '${this.hostName}' as declared by ${this.owner.node.path} (${this.port})`);
    }
    if (protocol !== undefined && protocol !== this.protocol) {
      invalid(source, 'protocol', protocol, `the protocol of host '${this.hostName}' as declared by ${this.owner.node.path} (${protocolMember(this.protocol)}): one port serves one protocol`);
    }
  }

  private assertOpen(source: IConstruct): void {
    if (this.rendered) {
      throw new Error(`${source.node.path}: host '${this.hostName}' was already synthesized; declare every intent before synthesis`);
    }
  }

  /**
   * Creates the objects the intents recorded so far need, content to follow at synthesis. A
   * renderer error here (a conflict between intents) waits for synthesis, where it is reported
   * with every intent known; a second owner of an object is an error at once.
   */
  private declare(source: IConstruct): void {
    if (this.batching > 0) {
      this.pendingDeclare = true;
      return;
    }
    let intent: HostIntent;
    try {
      intent = this.toIntent();
    } catch {
      return;
    }
    const sink: HostObjectSink = {
      emit: (id, object, shared) => this.place(source, id, object, shared ?? false),
      addToService: () => undefined,
    };
    try {
      this.traffic.render(sink, intent);
    } catch (e) {
      if (e instanceof OwnershipError) throw e;
    }
  }

  private place(source: IConstruct, id: string, object: HostObject, shared: boolean): Declared {
    const prior = this.declared.get(id);
    if (prior) {
      if (prior.apiVersion !== object.apiVersion || prior.kind !== object.kind || prior.name !== object.metadata.name) {
        throw new Error(`${this.owner.node.path}: internal error: host '${this.hostName}': object '${id}' was declared as ${prior.apiVersion} ${prior.kind} ${prior.name} `
          + `and rendered as ${object.apiVersion} ${object.kind} ${object.metadata.name}`);
      }
      return prior;
    }
    const metadata = { name: object.metadata.name, namespace: object.metadata.namespace };
    const props = shared ? { ...object, metadata: { ...object.metadata } }
      : { apiVersion: object.apiVersion, kind: object.kind, metadata, spec: Lazy.any({ produce: () => this.content.get(id)?.spec }) };
    const created = emit(this.owner, OBJECT_ID_PREFIX + id, props, { owner: source, merge: shared ? 'identical' : undefined });
    const declared: Declared = { object: created, apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, shared };
    this.declared.set(id, declared);
    return declared;
  }

  /** The host's Service: bound by the construct that created it, else declared in this chart. */
  private findService(): ApiObject | undefined {
    if (this.service) return this.service.object;
    return chartService(this.chart, this.namespace ?? this.chart.namespace, this.hostName);
  }

  private renderOnce(): string[] {
    if (this.rendered) return [];
    try {
      this.checkVersionPolicies();
      const intent = this.toIntent();
      const emitted = new Set<string>();
      const sink: HostObjectSink = {
        emit: (id, object, shared) => {
          const d = this.place(this.owner, id, object, shared ?? false);
          emitted.add(id);
          if (d.shared) return;
          this.content.set(id, object);
          for (const [k, v] of Object.entries(object.metadata.labels ?? {})) d.object.metadata.addLabel(k, v);
          for (const [k, v] of Object.entries(object.metadata.annotations ?? {})) d.object.metadata.addAnnotation(k, v);
        },
        addToService: (feature, metadata) => {
          const service = this.findService();
          if (!service) {
            const by = this.trafficPolicy?.source ?? this.owner;
            throw new Error(`${by.node.path}: ${this.traffic.displayName} configures ${feature} on the Service '${this.hostName}', `
              + 'which no construct in this chart declares; create the Service with CanaryRelease, or declare it in this chart');
          }
          for (const [k, v] of Object.entries(metadata.labels ?? {})) service.metadata.addLabel(k, v);
          for (const [k, v] of Object.entries(metadata.annotations ?? {})) service.metadata.addAnnotation(k, v);
        },
      };
      this.traffic.render(sink, intent);
      const missing = [...this.declared.keys()].filter(id => !emitted.has(id));
      if (missing.length > 0) throw new Error(`${this.owner.node.path}: internal error: host '${this.hostName}': objects ${missing.join(', ')} were declared but not rendered`);
      this.rendered = true;
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
}

/** Per chart: its own v1 Services by `<namespace>/<name>`, the first of each in construct order. */
const SERVICES = new WeakMap<Chart, Map<string, ApiObject>>();

/**
 * The Service `namespace/name` among the chart's own objects. Only this chart's: a chart nested
 * in it is synthesized on its own, often for another cluster or mesh, and must not get this host's
 * labels (a waypoint, failure accrual). Looked up in an index of the chart, built at the first
 * lookup and again when one misses (the chart may have grown since): a search of the chart per
 * host made a chart of many hosts quadratic.
 */
function chartService(chart: Chart, namespace: string | undefined, name: string): ApiObject | undefined {
  const key = `${namespace ?? ''}/${name}`;
  const known = SERVICES.get(chart)?.get(key);
  if (known) return known;
  const index = new Map<string, ApiObject>();
  for (const c of chart.node.findAll()) {
    if (c instanceof ApiObject && c.kind === 'Service' && c.apiVersion === 'v1' && Chart.of(c) === chart) {
      const k = `${c.metadata.namespace ?? ''}/${c.metadata.name}`;
      if (!index.has(k)) index.set(k, c);
    }
  }
  SERVICES.set(chart, index);
  return index.get(key);
}

/** What of a route looks into requests (everything but a weighted destination). */
export function layer7Features(route: Pick<RouteIntent, 'matches' | 'mirror' | 'timeout' | 'retries' | 'fault' | 'requestHeaders' | 'responseHeaders'>): string[] {
  return [
    route.matches.length > 0 ? 'request matches' : '',
    route.mirror ? 'mirroring' : '',
    route.timeout ? 'a request timeout' : '',
    route.retries ? 'retries' : '',
    route.fault ? 'fault injection' : '',
    route.requestHeaders || route.responseHeaders ? 'header changes' : '',
  ].filter(f => f !== '');
}

function checkPerTry(perTry: Duration | undefined, timeout: Duration | undefined, source: IConstruct, host: string): void {
  if (perTry && timeout && perTry.toMilliseconds() > timeout.toMilliseconds()) {
    invalid(source, 'retries.perTryTimeout', perTry.toHumanString(), `at most the request timeout of host '${host}' (${timeout.toHumanString()})`);
  }
}
