/**
 * The StrictMtlsMigration scaling case: `node migration.js <namespaces>` constructs a 3-stage plan
 * (all PERMISSIVE; the first half STRICT; all STRICT) over that many namespaces, at its middle
 * stage with a plaintext alert, and prints the construction's CPU and wall time as one JSON line.
 */
import { App, Chart } from 'cdk8s';
import { Mesh, MeshProvider, MtlsMode, StrictMtlsMigration } from './mesh';

function main(): void {
  const count = Number(process.argv[2]);
  const namespaces = Array.from({ length: count }, (_, i) => `ns${i}`);
  const stage = (mode: (i: number) => MtlsMode) => namespaces.map((namespace, i) => ({ namespace, mode: mode(i) }));
  const app = new App({ outdir: '/tmp/cdk8s-mesh-bench-migration' });
  const chart = new Chart(app, 'mtls', { namespace: 'monitoring' });
  const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio() });
  const stages = [
    { name: 'permissive', namespaces: stage(() => MtlsMode.PERMISSIVE) },
    { name: 'first-half', namespaces: stage(i => (i < count / 2 ? MtlsMode.STRICT : MtlsMode.PERMISSIVE)) },
    { name: 'strict', namespaces: stage(() => MtlsMode.STRICT) },
  ];
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  new StrictMtlsMigration(chart, 'migration', { mesh, stages, currentStage: 1, plaintextAlert: {} });
  const w1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ constructCpuMs: (c1.user + c1.system) / 1000, constructWallMs: Number(w1 - w0) / 1e6 }) + '\n');
}

main();
