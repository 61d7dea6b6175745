import { ServiceProtocol } from '../../model/protocol';
import { DataPlaneRenderer, PodMeshMetadata, ServicePortSpec, WorkloadMeshSpec } from '../../model/renderer';

/**
 * Gateway API names one `appProtocol` for HTTP/2 with prior knowledge, `kubernetes.io/h2c`
 * (GEP-1911, standard since v1.2, with conformance tests), which is what a GRPCRoute's backends
 * speak; `http` and `tcp` are the plain names.
 * @see https://gateway-api.sigs.k8s.io/guides/backend-protocol/
 */
const GATEWAY_API_APP_PROTOCOL: Record<ServiceProtocol, string> = {
  [ServiceProtocol.HTTP]: 'http',
  [ServiceProtocol.HTTP2]: 'kubernetes.io/h2c',
  [ServiceProtocol.GRPC]: 'kubernetes.io/h2c',
  [ServiceProtocol.TCP]: 'tcp',
};

/**
 * "Any GAMMA-conformant mesh": injection and proxy sizing are mesh-specific and have no
 * standard form, so pods get nothing and explicit requests for them are errors.
 */
export class GenericDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Gateway API (any GAMMA mesh)';

  public servicePort(protocol: ServiceProtocol): ServicePortSpec {
    return { name: protocol, appProtocol: GATEWAY_API_APP_PROTOCOL[protocol] };
  }

  public podMetadata(spec: WorkloadMeshSpec): PodMeshMetadata {
    const unsupported = [];
    if (!spec.meshed) {
      unsupported.push({ feature: 'a per-workload mesh opt-out', instead: 'choose the mesh (MeshProvider.istio() or .linkerd()), or leave the namespace un-injected' });
    }
    if (spec.proxyExplicit) {
      unsupported.push({ feature: 'proxy resources', instead: 'choose the mesh (MeshProvider.istio() or .linkerd()) so the proxy can be sized' });
    }
    return { labels: {}, annotations: {}, unsupported };
  }
}
