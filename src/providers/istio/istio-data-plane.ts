import { DataPlaneRenderer, PodMeshMetadata, WorkloadMeshSpec } from '../../model/renderer';

/**
 * Istio sidecar data plane: the injection label on the pod template (or the revision label when
 * a control-plane revision is pinned) and the proxy's resources as sidecar annotations.
 * @see https://istio.io/latest/docs/reference/config/annotations/
 */
export class IstioDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Istio';

  constructor(private readonly revision?: string, private readonly ambient = false) {}

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
