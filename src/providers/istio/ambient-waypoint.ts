import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { WaypointGatewaySpec } from './install-types';
import { HostIntent, RouteIntent, TrafficPolicyIntent } from '../../model/intents';
import { HostServices, TrafficRenderer, Unsupported } from '../renderer';

/** The waypoint of a namespace: Istio's default name, as `istioctl waypoint apply` creates it. */
export const WAYPOINT_NAME = 'waypoint';

interface AmbientHost {
  readonly api: 'VirtualService' | 'HTTPRoute';
  readonly path: string;
}

/** Per app (the root): which routing API each ambient host uses, and which namespaces have a waypoint. */
const HOSTS = new WeakMap<IConstruct, Map<string, AmbientHost>>();
const WAYPOINTS = new WeakMap<IConstruct, Set<string>>();

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

  constructor(private readonly routing: TrafficRenderer) {
    this.displayName = `${routing.displayName} in ambient mode`;
    this.versionServices = routing.versionServices;
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    return this.routing.unsupported(route);
  }

  public unsupportedPolicy(policy: TrafficPolicyIntent): Unsupported[] {
    return this.routing.unsupportedPolicy(policy);
  }

  public render(scope: Construct, host: HostIntent, services: HostServices): void {
    this.routing.render(scope, host, services);
    const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const route = objects.find(o => o.kind === 'VirtualService' || o.kind === 'HTTPRoute');
    const policy = objects.find(o => o.kind === 'DestinationRule' && o.toJson().spec?.trafficPolicy !== undefined);
    if (!route && !policy) return;

    const root = scope.node.root;
    const namespace = host.namespace ?? Chart.of(scope).namespace;
    const key = `${namespace ?? ''}/${host.name}`;
    if (route) {
      const hosts = HOSTS.get(root) ?? new Map<string, AmbientHost>();
      HOSTS.set(root, hosts);
      const api = route.kind as AmbientHost['api'];
      const prior = hosts.get(key);
      if (prior && prior.api !== api) {
        throw new Error(`${scope.node.path}: ambient host '${host.name}' is routed by both a ${prior.api} (${prior.path}) and a ${api}; `
          + 'its waypoint applies one routing API per host, so do not mix Istio\'s VirtualService with Gateway API routes: '
          + 'use one MeshProvider for the host (IstioRoutingApi.GATEWAY_API is the one Istio recommends for ambient)');
      }
      hosts.set(key, { api, path: scope.node.path });
    }

    const waypoints = WAYPOINTS.get(root) ?? new Set<string>();
    WAYPOINTS.set(root, waypoints);
    if (!waypoints.has(namespace ?? '')) {
      waypoints.add(namespace ?? '');
      const spec: WaypointGatewaySpec = {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      };
      new ApiObject(scope, 'Waypoint', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: WAYPOINT_NAME, namespace, labels: { 'istio.io/waypoint-for': 'service' } },
        spec,
      });
    }

    const hostServices = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject
      && c.kind === 'Service' && c.metadata.name === host.name && (c.metadata.namespace ?? Chart.of(c).namespace) === namespace);
    if (hostServices.length === 0) {
      throw new Error(`${scope.node.path}: ambient host '${host.name}' needs its Service labelled 'istio.io/use-waypoint: ${WAYPOINT_NAME}' `
        + 'for its L7 routing and policy to apply, but the Service is not declared in this app; declare it here (e.g. with CanaryRelease) '
        + 'or route it with MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.SIDECAR })');
    }
    hostServices.forEach(s => s.metadata.addLabel('istio.io/use-waypoint', WAYPOINT_NAME));
  }
}
