/**
 * Linkerd's install intent: what MeshControlPlane.linkerd() decided, for the install renderer.
 * Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { InstallIntent } from '../../model/install';

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
