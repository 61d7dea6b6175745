import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { WaypointGatewaySpec } from './install-types';
import { HostIntent, RouteIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { HostObject, HostObjectSink, TrafficRenderer, Unsupported } from '../../model/renderer';
import { clusterOf } from '../../private/ownership';

/** The waypoint of a namespace: Istio's default name, as `istioctl waypoint apply` creates it. */
export const WAYPOINT_NAME = 'waypoint';

interface AmbientHost {
  readonly api: 'VirtualService' | 'HTTPRoute';
  readonly path: string;
  readonly chart: Chart;
}

/** Per app (the root): which routing APIs each ambient host uses, and from which charts. */
const HOSTS = new WeakMap<IConstruct, Map<string, AmbientHost[]>>();

/** Per chart: the Services bound to the waypoint (`<namespace>/<name>`), and who waits for one. */
interface Enrollment {
  readonly bound: Set<string>;
  readonly waiting: Map<string, Array<() => void>>;
}
const ENROLLED = new WeakMap<Chart, Enrollment>();

function enrollment(chart: Chart): Enrollment {
  let e = ENROLLED.get(chart);
  if (!e) {
    e = { bound: new Set(), waiting: new Map() };
    ENROLLED.set(chart, e);
  }
  return e;
}

/**
 * Calls `bound` once Service `namespace/name` of `chart` is bound to its namespace's waypoint: at
 * once if it already is, else when a host intent that needs the waypoint is recorded (hosts
 * render from their first intent on, so by the end of construction every binding is known).
 * The waypoint sees requests to the Service; ztunnel then sees the waypoint's identity.
 */
export function onWaypointBound(chart: Chart, namespace: string, name: string, bound: () => void): void {
  const e = enrollment(chart);
  const key = `${namespace}/${name}`;
  if (e.bound.has(key)) {
    bound();
    return;
  }
  e.waiting.set(key, [...(e.waiting.get(key) ?? []), bound]);
}

function markBound(chart: Chart, namespace: string, name: string): void {
  const e = enrollment(chart);
  const key = `${namespace}/${name}`;
  if (e.bound.has(key)) return;
  e.bound.add(key);
  const waiting = e.waiting.get(key) ?? [];
  e.waiting.delete(key);
  waiting.forEach(f => f());
}

/**
 * Istio ambient mode: ztunnel carries only L4, so every L7 intent on a host (routes, weights,
 * retries, timeouts, mirroring, fault injection, DestinationRule traffic policy) takes effect only
 * when the host's Service is bound to a waypoint. This renderer wraps the routing renderer: after it
 * renders a host, it adds the namespace's waypoint (once per namespace in the app) and labels the
 * host's Service `istio.io/use-waypoint`. Without it those intents would silently not apply.
 *
 * A waypoint serves one routing API per host: VirtualService and HTTPRoute for the same ambient
 * host (even from different charts of one app) is an error.
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 */
export class AmbientWaypoints implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices: boolean;

  /**
   * @param routing the routing renderer the waypoint applies
   * @param gatewayApiVersion the version of the waypoint's Gateway
   */
  constructor(private readonly routing: TrafficRenderer, private readonly gatewayApiVersion: string) {
    this.displayName = `${routing.displayName} in ambient mode`;
    this.versionServices = routing.versionServices;
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    return this.routing.unsupported(route);
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string): Unsupported[] {
    return this.routing.unsupportedPolicy(policy, version);
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    const emitted: HostObject[] = [];
    this.routing.render({
      emit: (id, object, shared) => {
        emitted.push(object);
        sink.emit(id, object, shared);
      },
      addToService: (feature, metadata) => sink.addToService(feature, metadata),
    }, host);
    const route = emitted.find(o => o.kind === 'VirtualService' || o.kind === 'HTTPRoute');
    const policy = emitted.find(o => o.kind === 'DestinationRule' && (o.spec as { trafficPolicy?: unknown }).trafficPolicy !== undefined);
    if (!route && !policy) return;

    if (route) {
      const hosts = HOSTS.get(host.construct.node.root) ?? new Map<string, AmbientHost[]>();
      HOSTS.set(host.construct.node.root, hosts);
      const key = `${host.namespace ?? ''}/${host.name}`;
      const api = route.kind as AmbientHost['api'];
      const chart = Chart.of(host.construct);
      // Only charts applied to the same cluster share a waypoint (clusters are compared now, as
      // MeshCluster.assign may come after construction).
      const prior = (hosts.get(key) ?? []).find(p => p.api !== api && clusterOf(p.chart) === clusterOf(chart));
      if (prior) {
        throw new Error(`${host.construct.node.path}: ambient host '${host.name}' is routed by both a ${prior.api} (${prior.path}) and a ${api}; `
          + 'its waypoint applies one routing API per host, so do not mix Istio\'s VirtualService with Gateway API routes: '
          + 'use one MeshProvider for the host (IstioRoutingApi.GATEWAY_API is the one Istio recommends for ambient)');
      }
      const path = host.construct.node.path;
      hosts.set(key, [...(hosts.get(key) ?? []).filter(p => p.path !== path), { api, path, chart }]);
    }

    const chart = Chart.of(host.construct);
    const namespace = host.namespace ?? chart.namespace;
    if (namespace !== undefined) markBound(chart, namespace, host.name);

    // One waypoint per namespace, shared by every host of the namespace that needs one.
    const spec: WaypointGatewaySpec = {
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    };
    sink.emit('Waypoint', {
      apiVersion: `gateway.networking.k8s.io/${this.gatewayApiVersion}`,
      kind: 'Gateway',
      metadata: { name: WAYPOINT_NAME, namespace: host.namespace, labels: { 'istio.io/waypoint-for': 'service' } },
      spec,
    }, true);
    sink.addToService(`its waypoint (label 'istio.io/use-waypoint: ${WAYPOINT_NAME}'), without which its L7 routing and policy do not apply,`,
      { labels: { 'istio.io/use-waypoint': WAYPOINT_NAME } });
  }
}
