import { DataPlaneRenderer, PodMeshMetadata, WorkloadMeshSpec } from '../../model/renderer';

/**
 * "Any GAMMA-conformant mesh": injection and proxy sizing are mesh-specific and have no
 * standard form, so pods get nothing and explicit requests for them are errors.
 */
export class GenericDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Gateway API (any GAMMA mesh)';

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
