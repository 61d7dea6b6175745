import { ServiceProtocol } from '../../model/protocol';
import { DataPlaneRenderer, PodMeshMetadata, ServicePortSpec, WorkloadMeshSpec } from '../../model/renderer';

/**
 * Istio reads a port's protocol from `appProtocol` first, then from the port name's prefix
 * (pkg/config/kube/conversion.go ConvertProtocol): `http`, `grpc` and `tcp` are its own names,
 * and `kubernetes.io/h2c` is HTTP/2 from Istio 1.19 (the Kubernetes-standard value, which
 * Gateway API implementations read too). gRPC keeps Istio's `grpc`: a GRPC port gets no default
 * inbound retries, which would break streaming calls (pilot/pkg/networking/core/route/route.go
 * BuildDefaultHTTPInboundRoute).
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
const ISTIO_APP_PROTOCOL: Record<ServiceProtocol, string> = {
  [ServiceProtocol.HTTP]: 'http',
  [ServiceProtocol.HTTP2]: 'kubernetes.io/h2c',
  [ServiceProtocol.GRPC]: 'grpc',
  [ServiceProtocol.TCP]: 'tcp',
};

/**
 * Istio sidecar data plane: the injection label on the pod template (or the revision label when
 * a control-plane revision is pinned) and the proxy's resources as sidecar annotations.
 * @see https://istio.io/latest/docs/reference/config/annotations/
 */
export class IstioDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Istio';

  constructor(private readonly revision?: string, private readonly ambient = false) {}

  public servicePort(protocol: ServiceProtocol): ServicePortSpec {
    return { name: protocol, appProtocol: ISTIO_APP_PROTOCOL[protocol] };
  }

  public podMetadata(spec: WorkloadMeshSpec): PodMeshMetadata {
    if (this.ambient) return ambientPodMetadata(spec);
    if (!spec.meshed) {
      // The explicit opt-out wins over a namespace-wide injection label.
      return { labels: { 'sidecar.istio.io/inject': 'false' }, annotations: {}, unsupported: [] };
    }
    // The pod label injects even where the namespace is not labelled; a revision label selects
    // the control plane of that revision instead of the default one.
    const labels: Record<string, string> = this.revision
      ? { 'istio.io/rev': this.revision }
      : { 'sidecar.istio.io/inject': 'true' };
    return {
      labels,
      annotations: {
        'sidecar.istio.io/proxyCPU': spec.proxy.cpuRequest,
        'sidecar.istio.io/proxyCPULimit': spec.proxy.cpuLimit,
        'sidecar.istio.io/proxyMemory': spec.proxy.memoryRequest,
        'sidecar.istio.io/proxyMemoryLimit': spec.proxy.memoryLimit,
      },
      unsupported: [],
    };
  }
}

/**
 * Ambient mode: the namespace label `istio.io/dataplane-mode: ambient` enrols pods in ztunnel; a pod
 * opts out with `istio.io/dataplane-mode: none`. There is no sidecar, so nothing to size.
 * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
 */
function ambientPodMetadata(spec: WorkloadMeshSpec): PodMeshMetadata {
  if (!spec.meshed) {
    return { labels: { 'istio.io/dataplane-mode': 'none' }, annotations: {}, unsupported: [] };
  }
  return {
    labels: {},
    annotations: {},
    unsupported: spec.proxyExplicit ? [{
      feature: 'per-workload proxy resources in ambient mode',
      instead: 'ambient pods have no sidecar; size the ztunnel and waypoint through MeshInstall chartValues, or drop proxy',
    }] : [],
  };
}
