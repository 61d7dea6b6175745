/**
 * The contract between the provider-neutral model and a provider. Internal: users pick a provider
 * with `MeshProvider.*()`; only src/providers/<name>/ implements these.
 */
import { Construct } from 'constructs';
import { GatewayIntent, IngressRouteIntent } from '../model/ingress';
import { HostIntent, RouteIntent, TrafficPolicyIntent } from '../model/intents';
import { AuthorizationIntent, MtlsIntent } from '../model/security';

/** Something a provider cannot express, found in an intent. */
export interface Unsupported {
  /** what was asked, e.g. "retries" */
  readonly feature: string;
  /** what to do instead */
  readonly instead: string;
}

/** Turns the intents of one host into one routing API's objects. */
export interface TrafficRenderer {
  /** e.g. "Istio (networking.istio.io/v1)", used in messages */
  readonly displayName: string;
  /** whether backends are addressed through per-version Services (`<service>-<version>`) */
  readonly versionServices: boolean;
  /** what of this route the API cannot express (empty when all is fine) */
  unsupported(route: RouteIntent): Unsupported[];
  /** what of this circuit breaker / load balancing the mesh cannot express */
  unsupportedPolicy(policy: TrafficPolicyIntent): Unsupported[];
  /** creates the host's objects (one per kind) under `scope` */
  render(scope: Construct, host: HostIntent, services: HostServices): void;
}

/** The data-plane objects of a host that a renderer may need to annotate. */
export interface HostServices {
  /**
   * Adds annotations to the host's Service; throws when no construct in the chart created it.
   * @param feature what needs them, for the error message
   */
  annotate(feature: string, annotations: Record<string, string>): void;
}

/**
 * Turns a gateway and the routes attached to it into one ingress API's objects (north-south).
 * A provider has one; a mesh without an ingress of its own (Linkerd) uses the Gateway API one.
 */
export interface IngressRenderer {
  /** e.g. "Istio (networking.istio.io/v1 Gateway)", used in messages */
  readonly displayName: string;
  /** what of this gateway the API cannot express (empty when all is fine) */
  unsupportedGateway(gateway: GatewayIntent): Unsupported[];
  /** what of this route the API cannot express (empty when all is fine) */
  unsupportedRoute(route: IngressRouteIntent): Unsupported[];
  /**
   * Creates the gateway's objects under `scope` (the main one with id `Resource`). `routes`
   * gives the routes attached by synthesis time (for certificates that cover their hostnames).
   */
  renderGateway(scope: Construct, gateway: GatewayIntent, routes: () => IngressRouteIntent[]): void;
  /** Creates one route's objects under `scope` (the main one with id `Resource`). */
  renderRoute(scope: Construct, gateway: GatewayIntent, route: IngressRouteIntent): void;
}

/** Proxy resources as Kubernetes quantities. */
export interface ProxyQuantities {
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

/** What a workload asks of the data plane. */
export interface WorkloadMeshSpec {
  /** false: opt out of the mesh */
  readonly meshed: boolean;
  readonly proxy: ProxyQuantities;
  /** whether the user set proxy resources (rather than taking the defaults) */
  readonly proxyExplicit: boolean;
}

/** Labels and annotations for a workload's pod template, or what cannot be expressed. */
export interface PodMeshMetadata {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly unsupported: Unsupported[];
}

/** How a mesh's data plane is configured on pods (injection, proxy sizing). */
export interface DataPlaneRenderer {
  readonly displayName: string;
  podMetadata(spec: WorkloadMeshSpec): PodMeshMetadata;
}

/** Turns mTLS and authorization intents into one provider's objects. */
export interface SecurityRenderer {
  /** e.g. "Istio (security.istio.io/v1)", used in messages */
  readonly displayName: string;
  /** what of the mTLS settings the provider cannot express (empty when all is fine) */
  mtlsUnsupported(intent: MtlsIntent): Unsupported[];
  /** creates the objects of the mTLS settings in force under `scope` */
  renderMtls(scope: Construct, intent: MtlsIntent): void;
  /** what of the policy the provider cannot express (empty when all is fine) */
  authorizationUnsupported(intent: AuthorizationIntent): Unsupported[];
  /** creates the policy's objects under `scope` */
  renderAuthorization(scope: Construct, intent: AuthorizationIntent): void;
}
