/**
 * One scenario per construct, synthesized the same way on every provider configuration of the
 * matrix (PROVIDERS): test/provider-rules.test.ts states what each provider must emit for them,
 * test/snapshots.test.ts records the mesh objects.
 */
import { Duration, Testing } from 'cdk8s';
import { bookinfoIngress, Capabilities, capsOf, chart, meshOf, reviewsCanary } from './fixtures';
import {
  CanaryRelease, CircuitBreaker, HttpMethod, MeshAuthorization, MeshWorkload, MtlsMode, Peer, RoutePolicy, ServiceHost, StrictMtlsMigration,
  WorkloadSelector,
} from '../../src';

export interface Scenario {
  /** Synthesizes the construct on a provider; throws where the provider cannot express it. */
  readonly synth: (provider: string) => any[];
  /**
   * For a construct added to a canary: the same chart without it, so its snapshot records only
   * what it adds or changes.
   */
  readonly base?: (provider: string) => any[];
  /** Providers that cannot express the construct, and the capability error they must give. */
  readonly notExpressible?: { readonly when: (caps: Capabilities) => boolean; readonly error: RegExp };
}

/** The bookinfo `reviews` canary alone (v1 90 %, v2 10 %, header override where the provider matches). */
function reviewsOnly(provider: string): any[] {
  const c = chart('bookinfo');
  new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  return Testing.synth(c);
}

export const SCENARIOS: Record<string, Scenario> = {
  // + 5 % mirrored and a 10s timeout where the provider has them, retries on Linkerd
  CanaryRelease: {
    synth: (provider) => {
      const c = chart('bookinfo');
      const caps = capsOf(provider);
      new CanaryRelease(c, 'reviews', reviewsCanary(provider, {
        mirrorPercent: caps.mirror ? 5 : undefined,
        timeout: caps.timeout ? Duration.seconds(10) : undefined,
        retries: provider.startsWith('linkerd') ? caps.retries : undefined,
      }));
      return Testing.synth(c);
    },
  },

  MeshWorkload: {
    synth: (provider) => {
      const c = chart('bookinfo');
      new MeshWorkload(c, 'ratings', { mesh: meshOf(provider), serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
      return Testing.synth(c);
    },
  },

  // a 3s timeout for a Service the library does not deploy
  RoutePolicy: {
    synth: (provider) => {
      const c = chart('bookinfo');
      new RoutePolicy(c, 'ratings', {
        host: ServiceHost.fromAttributes({ mesh: meshOf(provider), serviceName: 'ratings', port: 9080 }),
        timeout: Duration.seconds(3),
      });
      return Testing.synth(c);
    },
    notExpressible: { when: caps => !caps.timeout, error: /cannot express a request timeout/ },
  },

  // on the canary: 5 consecutive 5xx eject a backend for 30s; Istio also caps the connection pool
  CircuitBreaker: {
    synth: (provider) => {
      const caps = capsOf(provider);
      const c = chart('bookinfo');
      const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
      new CircuitBreaker(c, 'breaker', {
        host: release,
        connectionPool: caps.circuitBreaker === 'istio' ? { maxConnections: 100, http1MaxPendingRequests: 1 } : undefined,
        outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30) },
      });
      return Testing.synth(c);
    },
    base: reviewsOnly,
    notExpressible: { when: caps => !caps.circuitBreaker, error: /cannot express circuit breaking/ },
  },

  // the seeds' bookinfo ingress (fixtures.bookinfoIngress), next to the canary it splits
  IngressGateway: {
    synth: (provider) => {
      const c = chart('bookinfo');
      bookinfoIngress(c, provider);
      return Testing.synth(c);
    },
    base: reviewsOnly,
    notExpressible: { when: caps => caps.ingressTimeout === false, error: /cannot express a request timeout .*in Gateway API v1\.2/ },
  },

  // payments STRICT, orders PERMISSIVE, checkout's port 9090 PERMISSIVE, an alert on plaintext
  StrictMtlsMigration: {
    synth: (provider) => {
      const c = chart('security');
      new StrictMtlsMigration(c, 'migration', {
        mesh: meshOf(provider),
        namespaces: [{ namespace: 'payments', mode: MtlsMode.STRICT }, { namespace: 'orders', mode: MtlsMode.PERMISSIVE }],
        workloads: [{
          workload: WorkloadSelector.labels({ app: 'checkout' }, { namespace: 'orders', ports: [8080] }),
          portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
        }],
        plaintextAlert: {},
      });
      return Testing.synth(c);
    },
    notExpressible: { when: caps => !caps.security, error: /cannot express mTLS modes/ },
  },

  // productpage's service account may GET /reviews/*; anyone may reach /health
  MeshAuthorization: {
    synth: (provider) => {
      const c = chart('bookinfo');
      new MeshAuthorization(c, 'reviews-viewer', {
        mesh: meshOf(provider),
        workload: WorkloadSelector.labels({ app: 'reviews' }, { ports: [9080] }),
        allow: [
          { name: 'productpage', from: [Peer.serviceAccount('productpage', 'bookinfo')], methods: [HttpMethod.GET], paths: ['/reviews/*'] },
          { name: 'probes', paths: ['/health'] },
        ],
      });
      return Testing.synth(c);
    },
    notExpressible: { when: caps => !caps.security, error: /cannot express authorization policies/ },
  },
};

/** Whether a provider can express a scenario's construct. */
export function expressible(scenario: string, provider: string): boolean {
  return !SCENARIOS[scenario].notExpressible?.when(capsOf(provider));
}

const cache = new Map<string, any[]>();

/** A scenario's output on a provider, synthesized once per test file (treat it as read-only). */
export function synthOf(scenario: string, provider: string): any[] {
  const key = `${scenario}--${provider}`;
  if (!cache.has(key)) cache.set(key, SCENARIOS[scenario].synth(provider));
  return cache.get(key)!;
}

/** The kinds that run the workloads; the same on every provider, so left out of mesh snapshots. */
export const WORKLOAD_KINDS = ['Deployment', 'Service', 'ServiceAccount'];

/** Everything but the workload kinds. Namespaces stay: Linkerd sets mTLS modes on them. */
export function meshObjects(manifests: any[]): any[] {
  return manifests.filter(m => !WORKLOAD_KINDS.includes(m.kind));
}

const MESH_KEY = /(^|\.)(istio|linkerd)\.io\//;

/** The labels and annotations (of the pod template, for a Deployment) that a mesh reads. */
export function meshMetadata(manifest: any): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  const metadata = manifest.kind === 'Deployment' ? manifest.spec.template.metadata : manifest.metadata;
  const pick = (map: Record<string, string> = {}) => {
    const picked = Object.entries(map).filter(([k]) => MESH_KEY.test(k));
    return picked.length > 0 ? Object.fromEntries(picked) : undefined;
  };
  const labels = pick(metadata.labels);
  const annotations = pick(metadata.annotations);
  return { ...(labels && { labels }), ...(annotations && { annotations }) };
}

/**
 * What a snapshot records: the mesh objects in full; of the workload kinds only what a mesh reads
 * on them (injection, proxy sizing, failure accrual), as `{ kind, name, labels, annotations }`.
 */
export function meshView(manifests: any[]): any[] {
  return manifests.flatMap(m => {
    if (!WORKLOAD_KINDS.includes(m.kind)) return [m];
    const metadata = meshMetadata(m);
    return Object.keys(metadata).length > 0 ? [{ kind: m.kind, name: `${m.metadata.namespace}/${m.metadata.name}`, ...metadata }] : [];
  });
}

/** The objects of `manifests` that are not, byte for byte, in `base`. */
export function addedOrChanged(base: any[], manifests: any[]): any[] {
  const before = new Set(base.map(m => JSON.stringify(m)));
  return manifests.filter(m => !before.has(JSON.stringify(m)));
}
