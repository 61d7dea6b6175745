/**
 * Synthesis benchmark: a cluster-sized program (many hosts, each with a canary and a route
 * policy) on every provider. Goals are checked here, never in unit tests.
 *   npm run bench            (BENCH_HOSTS=N to change the size)
 */
import { App, Chart, Duration, Yaml } from 'cdk8s';
import { CanaryRelease, CanaryVersion, IstioRoutingApi, Mesh, MeshProvider, RequestMatch, RoutePolicy } from '../src';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 300);
// Goals for HOSTS hosts on the 2-core reference machine.
const GOAL_MS_PER_HOST = 20;
const GOAL_HEAP_MB = 1024;

const providers: Record<string, () => MeshProvider> = {
  'istio': () => MeshProvider.istio(),
  'istio-gateway-api': () => MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }),
  'gateway-api': () => MeshProvider.gatewayApi(),
};

let failed = false;
for (const [name, provider] of Object.entries(providers)) {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const app = new App({ outdir: '/tmp/cdk8s-mesh-bench' });
  const chart = new Chart(app, name, { namespace: 'bench' });
  const mesh = Mesh.fromAttributes({ provider: provider() });
  for (let i = 0; i < HOSTS; i++) {
    const release = new CanaryRelease(chart, `svc${i}`, {
      mesh,
      serviceName: `svc${i}`,
      port: 8080,
      stable: CanaryVersion.deploy({ name: 'v1', image: `svc${i}:1` }),
      canary: CanaryVersion.deploy({ name: 'v2', image: `svc${i}:2` }),
      steps: [5, 25, 50, 100],
      currentStep: i % 4,
      canaryMatches: [RequestMatch.header('x-canary', 'true')],
    });
    new RoutePolicy(chart, `svc${i}-policy`, { host: release, timeout: Duration.seconds(5) });
  }
  const yaml = Yaml.stringify(...chart.toJson());
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  const ok = ms / HOSTS <= GOAL_MS_PER_HOST && heapMb <= GOAL_HEAP_MB;
  failed ||= !ok;
  console.log(`${name}: ${HOSTS} hosts, ${(yaml.length / 1024).toFixed(0)} KiB YAML in ${ms.toFixed(0)} ms `
    + `(${(ms / HOSTS).toFixed(2)} ms/host, goal ≤ ${GOAL_MS_PER_HOST}), heap +${heapMb.toFixed(0)} MiB (goal ≤ ${GOAL_HEAP_MB}) ${ok ? 'ok' : 'MISSED'}`);
}
process.exit(failed ? 1 : 0);
