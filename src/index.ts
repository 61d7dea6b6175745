export * from './mesh';
export * from './mesh-cluster';
export * from './provider';
// Each provider's public options live in its folder; only they are exported from it.
export { GatewayApiProviderOptions, GatewayApiVersion } from './providers/gateway-api/options';
export { GatewayApiBundle } from './providers/gateway-api/profile';
export { IstioApiVersion, IstioDataPlaneMode, IstioProviderOptions, IstioRoutingApi, IstioVersion } from './providers/istio/options';
export { LinkerdProviderOptions, LinkerdRoutingApi, LinkerdVersion, SmiApiVersion } from './providers/linkerd/options';
export * from './mesh-host';
export * from './host-routing';
export * from './proxy';
export * from './mesh-workload';
export * from './identity';
export * from './model/headers';
export * from './model/match';
export { ServiceProtocol } from './model/protocol';
export * from './model/route-action';
export * from './model/retry';
export * from './model/traffic-policy';
export * from './model/delivery';
export * from './patterns/canary-version';
export * from './patterns/canary-release';
export { RolloutPlan, RolloutPlanOptions } from './patterns/rollout-plan';
export * from './patterns/traffic-routes';
export * from './patterns/route-policy';
export * from './patterns/circuit-breaker';
export * from './patterns/gateway-listener';
export * from './patterns/gateway-backend';
export * from './patterns/ingress-gateway';
export * from './patterns/gateway-route';
export * from './model/peer';
export * from './model/condition';
export * from './patterns/strict-mtls-migration';
export * from './patterns/mesh-authorization';
export * from './patterns/install-method';
export { LinkerdDefaultInboundPolicy, MeshControlPlane } from './mesh-control-plane';
export {
  IstioControlPlaneOptions, IstioProfile, IstioRevision, IstiodOptions, MeshTelemetryOptions, OutboundTrafficPolicy,
} from './providers/istio/control-plane';
export {
  CertManagerIssuerOptions, LinkerdControlPlaneOptions, LinkerdIdentityIssuer, TrustAnchor, TrustAnchorReferenceOptions,
} from './providers/linkerd/control-plane';
export * from './patterns/mesh-install';
export * from './warnings';
export { AnalyzerFinding, MeshAnalyzer } from './analyzer/mesh-analyzer';
export { MeshAnalyzerPlugin, MeshAnalyzerPluginProps } from './analyzer/plugin';
