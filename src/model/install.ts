/**
 * The provider-neutral intents MeshInstall records: how the mesh is installed (method), which app
 * namespaces join it, and the data-plane defaults. Install renderers in src/providers/<name>/ turn
 * them into objects; the GitOps builders in src/providers/gitops/ are shared by both meshes.
 * Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { MeshProvider } from '../provider';
import { ProxyQuantities } from '../providers/renderer';

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
  /** the Istio revision or revision tag the namespace is pinned to */
  readonly revision?: string;
  /** false when the kill switch is on: injection is turned off, the namespace stays declared */
  readonly injected: boolean;
  /** hosts (`namespace/dnsName`) the namespace's proxies get configuration for; undefined: all */
  readonly egressHosts?: string[];
  /** Linkerd: the namespace's default inbound policy */
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

export interface IstioRevisionIntent {
  /** undefined: the default (unnamed) revision */
  readonly name?: string;
  readonly version: string;
  readonly tags: string[];
}

export interface IstioInstallIntent extends InstallIntent {
  readonly profile: 'default' | 'minimal' | 'demo' | 'ambient';
  readonly ambient: boolean;
  /** in install order; the first is the one workloads use unless a namespace says otherwise */
  readonly revisions: IstioRevisionIntent[];
  /** the revision (or tag) the provider pins workloads to; undefined: the default revision */
  readonly defaultRevision?: string;
  /** networking.istio.io version, which also picks the security/telemetry versions */
  readonly apiVersion: string;
  readonly accessLogFile?: string;
  readonly outboundTrafficPolicy?: string;
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly trustDomain?: string;
  readonly istiod: {
    readonly replicas?: number;
    readonly autoscaleMin?: number;
    readonly autoscaleMax?: number;
    readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
    readonly pushThrottle?: number;
  };
  readonly workloadCertTtl?: Duration;
  readonly telemetry?: { readonly accessLogging: boolean; readonly tracingSamplingPercent?: number; readonly tracingProvider?: string };
  readonly peerAuthentication: boolean;
  readonly ingressGateway: boolean;
}

export interface TrustAnchorIntent {
  readonly pem?: string;
  readonly ref?: { readonly kind: 'Secret' | 'ConfigMap'; readonly name: string; readonly key: string };
}

export interface LinkerdInstallIntent extends InstallIntent {
  readonly chartVersion: string;
  readonly crdsChartVersion: string;
  readonly repositoryUrl: string;
  readonly clusterDomain: string;
  readonly trustAnchor: TrustAnchorIntent;
  /** undefined: the issuer Secret is managed elsewhere */
  readonly certManager?: { readonly duration: Duration; readonly renewBefore: Duration; readonly caSecretName: string };
  readonly highAvailability: boolean;
  readonly defaultInboundPolicy?: string;
  readonly viz: boolean;
}

/** What a control plane knows once bound to a MeshInstall. Internal. */
export interface BoundControlPlane {
  readonly provider: MeshProvider;
  readonly intent: IstioInstallIntent | LinkerdInstallIntent;
  /** revisions and tags namespaces may be pinned to (Istio) */
  readonly revisionTargets: string[];
  /** a provider for workloads of a namespace pinned to `revision` */
  providerFor(revision: string | undefined): MeshProvider;
}

