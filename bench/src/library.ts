/** The program written with cdk8s-mesh (the compiled library in lib/, through ./mesh). */
import { App, Chart, Duration } from 'cdk8s';
import { Built, built } from './built';
import {
  CanaryRelease, CanaryVersion, CircuitBreaker, HttpRetryOn, IstioDataPlaneMode, LinkerdRoutingApi, Mesh, MeshAuthorization,
  MeshProvider, MtlsMode, Peer, RequestMatch, RoutePolicy, StrictMtlsMigration,
} from './mesh';
import { Case, chartIdOf, LAYOUTS, namespacesOf, PORT, STEPS } from './spec';

/** The mesh provider a case runs on. */
export function providerOf(c: Case): MeshProvider {
  switch (c.provider) {
    case 'istio': return MeshProvider.istio();
    case 'istio-ambient': return MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT });
    case 'linkerd': return MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.GATEWAY_API });
  }
}

export function construct(c: Case, outdir: string): Built {
  if (!LAYOUTS.includes(c.layout)) throw new Error(`unknown layout ${c.layout}`);
  const app = new App({ outdir });
  const mesh = Mesh.fromAttributes({ provider: providerOf(c) });
  const perNamespace = c.layout === 'chart-per-namespace';
  const namespaces = namespacesOf(c.services);
  const charts = new Map<string, Chart>();
  const chartOf = (ns: string) => {
    const id = chartIdOf(c.layout, ns);
    let chart = charts.get(id);
    if (!chart) {
      chart = new Chart(app, id, { namespace: perNamespace ? ns : undefined });
      charts.set(id, chart);
    }
    return chart;
  };
  for (const [ns, services] of namespaces) {
    const chart = chartOf(ns);
    // In one chart, each object names its namespace; with a chart per namespace, the chart does.
    const namespace = perNamespace ? undefined : ns;
    for (const s of services) {
      const release = new CanaryRelease(chart, s.name, {
        mesh,
        serviceName: s.name,
        namespace,
        port: PORT,
        stable: CanaryVersion.deploy({ name: 'v1', image: `registry.example.com/${s.name}:1.0.0` }),
        canary: CanaryVersion.deploy({ name: 'v2', image: `registry.example.com/${s.name}:1.1.0` }),
        steps: STEPS,
        currentStep: s.step,
        canaryMatches: [RequestMatch.header('x-canary', 'true')],
        // on by default; `--plans off` measures the library writing exactly what the others write
        rolloutPlan: process.env.BENCH_ROLLOUT_PLANS === 'off' ? { enabled: false } : undefined,
      });
      new CircuitBreaker(chart, `${s.name}-breaker`, {
        host: release,
        connectionPool: c.provider === 'linkerd' ? undefined : { maxConnections: 100 },
        outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30) },
      });
      new RoutePolicy(chart, `${s.name}-policy`, {
        host: release,
        retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.SERVER_ERROR], retryNonIdempotent: true },
        timeout: Duration.seconds(10),
      });
      new MeshAuthorization(chart, `${s.name}-authz`, {
        mesh,
        workload: release.workloadSelector,
        allow: [{ from: [Peer.namespace(ns)] }],
      });
    }
    if (perNamespace) {
      new StrictMtlsMigration(chart, 'mtls', { mesh, namespaces: [{ namespace: ns, mode: MtlsMode.STRICT }] });
    }
  }
  if (!perNamespace) {
    new StrictMtlsMigration(chartOf(''), 'mtls', {
      mesh,
      namespaces: [...namespaces.keys()].map(namespace => ({ namespace, mode: MtlsMode.STRICT })),
    });
  }
  return built(app);
}
