/**
 * Istio's install intent: what MeshControlPlane.istio() decided, for the install renderer.
 * Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { IstioApis } from './options';
import { InstallIntent } from '../../model/install';

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
  /** the API versions of the mesh-wide objects (the same decision as the provider's) */
  readonly apis: IstioApis;
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
