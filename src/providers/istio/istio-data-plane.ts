import { DataPlaneRenderer, PodMeshMetadata, WorkloadMeshSpec } from '../renderer';

/**
 * Istio sidecar data plane: the injection label on the pod template (or the revision label when
 * a control-plane revision is pinned) and the proxy's resources as sidecar annotations.
 * @see https://istio.io/latest/docs/reference/config/annotations/
 */
export class IstioDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Istio';

  constructor(private readonly revision?: string) {}

  public podMetadata(spec: WorkloadMeshSpec): PodMeshMetadata {
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
