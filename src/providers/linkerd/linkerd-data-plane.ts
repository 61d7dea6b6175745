import { DataPlaneRenderer, PodMeshMetadata, WorkloadMeshSpec } from '../../model/renderer';

/**
 * Linkerd's proxy injector reads annotations on the pod template: `linkerd.io/inject` and the
 * `config.linkerd.io/proxy-*` resource overrides.
 * @see https://linkerd.io/2/reference/proxy-configuration/
 */
export class LinkerdDataPlane implements DataPlaneRenderer {
  public readonly displayName = 'Linkerd';

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
