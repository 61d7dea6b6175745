import { ServiceProtocol } from '../../model/protocol';
import { DataPlaneRenderer, PodMeshMetadata, ServicePortSpec, WorkloadMeshSpec } from '../../model/renderer';

/**
 * Linkerd's policy controller (2.18 and later) reads a Service port's `appProtocol`
 * (policy-controller/core/src/outbound.rs `AppProtocol::from_str`): `http` is HTTP/1 only,
 * `kubernetes.io/h2c` is HTTP/2 (GRPCRoutes apply, else HTTPRoutes), `linkerd.io/opaque` is
 * opaque TCP (TCPRoutes apply, no protocol detection), and any other value is treated as opaque
 * too, so `grpc` would hide a host's GRPCRoutes: gRPC is `kubernetes.io/h2c` here. Earlier
 * releases ignore `appProtocol` and detect the protocol.
 * @see https://linkerd.io/2/features/protocol-detection/
 */
const LINKERD_APP_PROTOCOL: Record<ServiceProtocol, string> = {
  [ServiceProtocol.HTTP]: 'http',
  [ServiceProtocol.HTTP2]: 'kubernetes.io/h2c',
  [ServiceProtocol.GRPC]: 'kubernetes.io/h2c',
  [ServiceProtocol.TCP]: 'linkerd.io/opaque',
};

/**
 * Linkerd's proxy injector reads annotations on the pod template: `linkerd.io/inject` and the
 * `config.linkerd.io/proxy-*` resource overrides.
 * @see https://linkerd.io/2/reference/proxy-configuration/
 */
export class LinkerdDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Linkerd';

  public servicePort(protocol: ServiceProtocol): ServicePortSpec {
    return { name: protocol, appProtocol: LINKERD_APP_PROTOCOL[protocol] };
  }

  public podMetadata(spec: WorkloadMeshSpec): PodMeshMetadata {
    if (!spec.meshed) {
      // The explicit opt-out wins over a namespace-wide `linkerd.io/inject: enabled`.
      return { labels: {}, annotations: { 'linkerd.io/inject': 'disabled' }, unsupported: [] };
    }
    return {
      labels: {},
      annotations: {
        'linkerd.io/inject': 'enabled',
        'config.linkerd.io/proxy-cpu-request': spec.proxy.cpuRequest,
        'config.linkerd.io/proxy-cpu-limit': spec.proxy.cpuLimit,
        'config.linkerd.io/proxy-memory-request': spec.proxy.memoryRequest,
        'config.linkerd.io/proxy-memory-limit': spec.proxy.memoryLimit,
      },
      unsupported: [],
    };
  }
}
