/**
 * What a service host serves on its port. The protocol decides the Service port's name and
 * `appProtocol` (how the mesh's proxies treat the traffic), the kind of routing object (Istio
 * `http` or `tcp` routes; Gateway API HTTPRoute, GRPCRoute or TCPRoute) and which features apply:
 * a TCP host carries connections, not requests, so it is routed by weight only.
 */
export enum ServiceProtocol {
  /** HTTP/1.1 (and HTTP/2 upgraded from it) */
  HTTP = 'http',
  /** HTTP/2 without TLS, with prior knowledge (h2c) */
  HTTP2 = 'http2',
  /** gRPC over h2c: routes match gRPC services and methods (GRPCRoute on Gateway API) */
  GRPC = 'grpc',
  /** opaque TCP: weighted splits only (Istio `tcp` routes, Gateway API TCPRoute) */
  TCP = 'tcp',
}

/** How the protocol is named in messages. */
export function protocolName(p: ServiceProtocol): string {
  switch (p) {
    case ServiceProtocol.HTTP2: return 'HTTP/2';
    case ServiceProtocol.GRPC: return 'gRPC';
    case ServiceProtocol.TCP: return 'TCP';
    default: return 'HTTP';
  }
}

/** The enum member, for messages (`ServiceProtocol.TCP`). */
export function protocolMember(p: ServiceProtocol): string {
  return `ServiceProtocol.${Object.entries(ServiceProtocol).find(([, v]) => v === p)?.[0] ?? String(p)}`;
}
