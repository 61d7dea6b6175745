/**
 * The contract between the provider-neutral model and a provider. Internal: users pick a provider
 * with `MeshProvider.*()`; only src/providers/<name>/ implements these.
 */
import { Construct } from 'constructs';
import { HostIntent, RouteIntent } from '../model/intents';
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
  /** creates the host's objects (one per kind) under `scope` */
  render(scope: Construct, host: HostIntent): void;
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
