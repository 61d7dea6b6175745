/**
 * The provider-neutral intents MeshInstall records: how the mesh is installed (method), which app
 * namespaces join it, and the data-plane defaults. Each mesh's control-plane options and install
 * intent live in its own folder (src/providers/<name>/); the GitOps builders in
 * src/providers/shared/gitops/ are shared by both meshes. Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ProxyQuantities } from './intents';

export interface FluxMethodIntent {
  readonly kind: 'flux';
  /** where the HelmRepository and HelmRelease objects live */
  readonly namespace: string;
  readonly interval: Duration;
}

export interface ArgoCdMethodIntent {
  readonly kind: 'argocd';
  /** where the Application objects live */
  readonly namespace: string;
  readonly project: string;
  readonly server: string;
  readonly automated: boolean;
}

export interface SailMethodIntent {
  readonly kind: 'sail';
}

export type InstallMethodIntent = FluxMethodIntent | ArgoCdMethodIntent | SailMethodIntent;

/** An app namespace that joins the mesh. */
export interface NamespaceIntent {
  readonly source: IConstruct;
  readonly name: string;
  /** the revision or revision tag the namespace is pinned to, where the mesh has revisions */
  readonly revision?: string;
  /** false when the kill switch is on: injection is turned off, the namespace stays declared */
  readonly injected: boolean;
  /** hosts (`namespace/dnsName`) the namespace's proxies get configuration for; undefined: all */
  readonly egressHosts?: string[];
  /** the namespace's default inbound policy, where the mesh has one (Linkerd) */
  readonly defaultInboundPolicy?: string;
}

/** What every install needs. */
export interface InstallIntent {
  readonly source: IConstruct;
  /** the mesh's own namespace (istio-system, linkerd) */
  readonly namespace: string;
  readonly method: InstallMethodIntent;
  /** the default proxy resources of the data plane */
  readonly proxy: ProxyQuantities;
  /** per chart (or Sail component): values merged over the typed ones */
  readonly chartValues: Record<string, Record<string, unknown>>;
}
