import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HostIntent, RouteDefaultsIntent, RouteIntent, TrafficPolicyIntent, VersionIntent } from './intents';
import { IMeshHost } from '../mesh-host';
import { checkPort, checkServiceName, invalid, unsupportedMessage } from '../private/errors';
import { warnNonIdempotentRetries } from '../private/retry';
import { HostServices, TrafficRenderer, Unsupported } from '../providers/renderer';

/** What a host needs to know about the provider that renders it. */
export interface HostBinding {
  /** equal keys mean the same provider configuration */
  readonly key: string;
  readonly traffic: TrafficRenderer;
}

export interface HostAddress {
  readonly name: string;
  readonly namespace?: string;
  readonly port: number;
}

const REGISTRY = new WeakMap<IConstruct, Map<string, MeshHost>>();

/**
 * The intents recorded for one service host, and the single place where they are rendered.
 * Every construct that targets the same host (namespace + name) in a chart shares one MeshHost,
 * so the provider emits one object per kind for it. The chart is the scope because it is
 * cdk8s's unit of output (one file, one apply); charts of one app may target other clusters. Rendering happens once, at synthesis
 * (during validation, before cdk8s collects the chart's objects).
 */
export class MeshHost extends Construct {
  /**
   * The host for `address` in the chart of `source`, created by the first construct that names it.
   */
  public static obtain(source: IConstruct, binding: HostBinding, address: HostAddress): MeshHost {
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
      existing.join(source, binding, address.port);
      return existing;
    }
    const host = new MeshHost(chart, `MeshHost-${namespace ?? 'default'}-${address.name}`, source, binding, { ...address, namespace });
    hosts.set(key, host);
    return host;
  }

  /**
   * The host a policy construct targets (a CanaryRelease or a ServiceHost), after checking its
   * name and port.
   */
  public static of(source: IConstruct, target: IMeshHost): MeshHost {
    checkServiceName(source, 'host.hostName', target.hostName);
    checkPort(source, 'host.port', target.port);
    const provider = target.mesh.provider;
    return MeshHost.obtain(source, { key: provider._key, traffic: provider._traffic },
      { name: target.hostName, namespace: target.hostNamespace, port: target.port });
  }

  public readonly hostName: string;
  public readonly namespace?: string;
  public readonly binding: HostBinding;
  private readonly port: number;
  private readonly owner: IConstruct;
  private readonly versions = new Map<string, VersionIntent & { source: IConstruct }>();
  private readonly routes: RouteIntent[] = [];
  private defaults?: RouteDefaultsIntent;
  private trafficPolicy?: TrafficPolicyIntent;
  private service?: { source: IConstruct; object: ApiObject };
  private rendered = false;

  private constructor(scope: Construct, id: string, owner: IConstruct, binding: HostBinding, address: HostAddress) {
    super(scope, id);
    this.owner = owner;
    this.hostName = address.name;
    this.namespace = address.namespace;
    this.binding = binding;
    this.port = address.port;
    this.node.addValidation({ validate: () => this.renderOnce() });
  }

  /** Records a version (subset) of the host. */
  public addVersion(source: IConstruct, version: VersionIntent): void {
    this.assertOpen(source);
    const prior = this.versions.get(version.name);
    if (prior) {
      invalid(source, 'version', version.name, `unique on host '${this.hostName}' (already declared by ${prior.source.node.path})`);
    }
    this.versions.set(version.name, { ...version, source });
  }

  /** Records a route, after checking that the provider can express it. */
  public addRoute(route: RouteIntent): void {
    this.assertOpen(route.source);
    this.check(route.source, this.binding.traffic.unsupported(route));
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
  }

  /** Records the host's circuit breaker / load balancing, after checking the provider can express it. */
  public setTrafficPolicy(policy: TrafficPolicyIntent): void {
    this.assertOpen(policy.source);
    if (this.trafficPolicy) {
      throw new Error(`${policy.source.node.path}: host '${this.hostName}' already has a circuit breaker from ${this.trafficPolicy.source.node.path}; combine them into one`);
    }
    this.check(policy.source, this.binding.traffic.unsupportedPolicy(policy));
    this.trafficPolicy = policy;
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
    this.check(defaults.source, this.binding.traffic.unsupported({ ...defaults, name: 'defaults', matches: [], backends: [] }));
    warnNonIdempotentRetries(defaults.source, defaults.retries, []);
    this.defaults = defaults;
  }

  /** The merged, ordered view a renderer works from. */
  public toIntent(): HostIntent {
    let catchAll = this.routes.find(r => r.matches.length === 0);
    if (!catchAll && (this.routes.length > 0 || this.defaults)) {
      // Requests that match no route would fail (404 on Istio and Gateway API), so a host with only
      // matched routes, or only a policy, gets an explicit default route to the host itself.
      catchAll = { source: this.defaults?.source ?? this.routes[0].source, name: 'default', matches: [], backends: [{ weight: 100 }] };
    }
    const ordered = [...this.routes.filter(r => r.matches.length > 0), ...(catchAll ? [catchAll] : [])]
      .map(r => r.inheritBackends ? { ...r, backends: catchAll!.backends } : r);
    return {
      name: this.hostName,
      namespace: this.namespace,
      port: { name: 'http', number: this.port },
      versions: [...this.versions.values()].map(({ name, labels, serviceName }) => ({ name, labels, serviceName })),
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
    const merged = { ...route, retries: route.retries ?? d.retries, timeout: route.timeout ?? d.timeout, fault: route.fault ?? d.fault };
    checkPerTry(merged.retries?.perTryTimeout, merged.timeout, d.source, this.hostName);
    return merged;
  }

  private check(source: IConstruct, problems: Unsupported[]): void {
    if (problems.length > 0) {
      throw new Error(problems.map(p => unsupportedMessage(source, this.binding.traffic.displayName, p.feature, p.instead)).join('\n'));
    }
  }

  private join(source: IConstruct, binding: HostBinding, port: number): void {
    if (binding.key !== this.binding.key) {
      throw new Error(`${source.node.path}: host '${this.hostName}' is rendered by ${this.binding.traffic.displayName} for ${this.owner.node.path}; every construct on one host must use the same mesh provider`);
    }
    if (port !== this.port) {
      invalid(source, 'port', port, `the port of host '${this.hostName}' as declared by ${this.owner.node.path} (${this.port})`);
    }
  }

  private assertOpen(source: IConstruct): void {
    if (this.rendered) {
      throw new Error(`${source.node.path}: host '${this.hostName}' was already synthesized; declare every intent before synthesis`);
    }
  }

  private services(): HostServices {
    return {
      annotate: (feature, annotations) => {
        if (!this.service) {
          const by = this.trafficPolicy?.source ?? this.owner;
          throw new Error(`${by.node.path}: ${this.binding.traffic.displayName} configures ${feature} with annotations on the Service '${this.hostName}', `
            + 'which no construct in this chart creates; create the Service with CanaryRelease (or bind it with a construct that owns it)');
        }
        for (const [k, v] of Object.entries(annotations)) this.service.object.metadata.addAnnotation(k, v);
      },
    };
  }

  private renderOnce(): string[] {
    if (this.rendered) return [];
    try {
      const intent = this.toIntent();
      this.binding.traffic.render(this, intent, this.services());
      this.rendered = true;
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }
}

function checkPerTry(perTry: Duration | undefined, timeout: Duration | undefined, source: IConstruct, host: string): void {
  if (perTry && timeout && perTry.toMilliseconds() > timeout.toMilliseconds()) {
    invalid(source, 'retries.perTryTimeout', perTry.toHumanString(), `at most the request timeout of host '${host}' (${timeout.toHumanString()})`);
  }
}
