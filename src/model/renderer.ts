/**
 * The contract between the provider-neutral model and a provider: what every provider implements
 * (traffic, ingress, security, data plane, install) and what the model hands it. Internal: users
 * pick a provider with `MeshProvider.*()` and a control plane with `MeshControlPlane.*()`; only
 * src/providers/<name>/ implements these, and nothing outside src/providers/ builds a CRD object.
 */
import { Construct } from 'constructs';
import { GatewayIntent, IngressRouteIntent } from './ingress';
import { NamespaceIntent } from './install';
import { HostIntent, ProxyQuantities, RouteIntent, VersionTrafficPolicyIntent } from './intents';
import { AuthorizationIntent, MtlsIntent } from './security';

/** Something a provider cannot express, found in an intent. */
export interface Unsupported {
  /** what was asked, e.g. "retries" */
  readonly feature: string;
  /** what to do instead */
  readonly instead: string;
}

/** The identity and content of one object a renderer emits for a host. */
export interface HostObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: unknown;
}

/**
 * Where a traffic renderer puts a host's objects. The host calls the renderer whenever an intent
 * is recorded, to create the objects from construction on (escape hatches work before synthesis),
 * and once more at synthesis, when the content is final.
 */
export interface HostObjectSink {
  /**
   * Emits one object of the host under construct id `id`: `Resource` for the host's routing
   * object, the kind for the others. `shared`: the object is the same for several hosts (a
   * namespace's waypoint), and one copy serves them all.
   */
  emit(id: string, object: HostObject, shared?: boolean): void;
  /**
   * Adds labels or annotations to the host's Service; fails when this chart does not declare it.
   * @param feature what needs them, for the error message
   */
  addToService(feature: string, metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }): void;
}

/** Turns the intents of one host into one routing API's objects. */
export interface TrafficRenderer {
  /** e.g. "Istio (networking.istio.io/v1)", used in messages */
  readonly displayName: string;
  /** whether backends are addressed through per-version Services (`<service>-<version>`) */
  readonly versionServices: boolean;
  /** what of this route the API cannot express (empty when all is fine) */
  unsupported(route: RouteIntent): Unsupported[];
  /**
   * what of this traffic policy (circuit breaker, load balancing, TLS) the mesh cannot express:
   * the host's, or with `version` that version's own
   */
  unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string): Unsupported[];
  /** emits the host's objects (one per kind); the same intents always emit the same objects */
  render(sink: HostObjectSink, host: HostIntent): void;
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

/**
 * Turns an install (the control plane, chosen by `MeshControlPlane.*()` and bound to a GitOps
 * method) and the application namespaces that join the mesh into one mesh's objects.
 */
export interface InstallRenderer {
  /** e.g. "Istio 1.24.0", used in messages */
  readonly displayName: string;
  /** the control plane's namespace */
  readonly namespace: string;
  /** namespaces that must never be onboarded: the mesh's own, its gateways', its extensions' */
  readonly reservedNamespaces: string[];
  /** the revisions and revision tags a namespace may be pinned to (empty: the mesh has none) */
  readonly revisionTargets: string[];
  /** what of this namespace's settings the mesh cannot express */
  namespaceUnsupported(ns: NamespaceIntent): Unsupported[];
  /** creates the control plane's objects under `scope` */
  renderInstall(scope: Construct): void;
  /** creates one application namespace's objects under `scope` */
  renderNamespace(scope: Construct, ns: NamespaceIntent): void;
}

/** The versions a provider configuration targets, for tests and the analyzer. */
export interface MeshTarget {
  /** the Istio minor release, if Istio */
  readonly istio?: number;
  /** the Linkerd minor release, if Linkerd */
  readonly linkerd?: number;
  /** the Gateway API bundle's minor release */
  readonly gatewayApi: number;
  /** the Gateway API channel */
  readonly gatewayApiChannel: 'standard' | 'experimental';
  /** the Gateway API release whose fields the mesh reading mesh routes honours, where it lags the bundle */
  readonly honours?: { readonly name: string; readonly minor: number; readonly experimental: boolean };
}

/** Everything one provider configuration renders with. */
export interface ProviderRenderers {
  /** `istio`, `linkerd` or `gateway-api` */
  readonly name: string;
  /** equal keys mean equal configuration */
  readonly key: string;
  /** the releases the configuration targets */
  readonly target: MeshTarget;
  readonly traffic: TrafficRenderer;
  readonly ingress: IngressRenderer;
  readonly security: SecurityRenderer;
  readonly dataPlane: DataPlaneRenderer;
}

/** A control plane bound to an install: its install renderer and the renderers of its workloads. */
export interface ControlPlaneBinding {
  readonly install: InstallRenderer;
  /** the renderers for workloads of a namespace pinned to `revision` (undefined: the install's default) */
  renderersFor(revision?: string): ProviderRenderers;
}
