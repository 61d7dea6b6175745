/**
 * The fields of Istio's install-time objects that the install renderer emits, written by hand from
 * the upstream CRDs (sailoperator.io/v1, security.istio.io/v1, telemetry.istio.io/v1,
 * networking.istio.io/v1 Sidecar, gateway.networking.k8s.io/v1 Gateway for waypoints).
 * Correctness is proven by validating the output against those CRDs, not by importing them.
 */

/** sailoperator.io/v1 Istio */
export interface SailIstioSpec {
  readonly version: string;
  readonly namespace: string;
  readonly profile?: string;
  readonly updateStrategy?: { readonly type: 'InPlace' | 'RevisionBased' };
  readonly values?: Record<string, unknown>;
}

/** sailoperator.io/v1 IstioCNI and ZTunnel */
export interface SailComponentSpec {
  readonly version: string;
  readonly namespace: string;
  readonly profile?: string;
  readonly values?: Record<string, unknown>;
}

/** sailoperator.io/v1 IstioRevisionTag */
export interface SailRevisionTagSpec {
  readonly targetRef: { readonly kind: 'Istio'; readonly name: string };
}

/** security.istio.io PeerAuthentication */
export interface PeerAuthenticationSpec {
  readonly mtls: { readonly mode: 'PERMISSIVE' | 'STRICT' | 'DISABLE' };
}

/** telemetry.istio.io Telemetry */
export interface TelemetrySpec {
  readonly accessLogging?: { readonly providers?: { readonly name: string }[]; readonly disabled?: boolean }[];
  readonly tracing?: { readonly providers?: { readonly name: string }[]; readonly randomSamplingPercentage?: number }[];
}

/** networking.istio.io Sidecar */
export interface SidecarSpec {
  readonly egress: { readonly hosts: string[] }[];
}

/** gateway.networking.k8s.io/v1 Gateway, as Istio's waypoint class uses it */
export interface WaypointGatewaySpec {
  readonly gatewayClassName: 'istio-waypoint';
  readonly listeners: { readonly name: string; readonly port: number; readonly protocol: 'HBONE' }[];
}
