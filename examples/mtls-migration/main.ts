/**
 * The fintech migration caught mid-way: `payments` is already STRICT, `orders` is still PERMISSIVE
 * with its metrics port open to a Prometheus outside the mesh, and the next pull request moves
 * `orders` to STRICT (the PrometheusRule says whether plaintext still reaches it). Next to it,
 * zero-trust rules: only the storefront's identity may GET /accounts/* and POST
 * /accounts/search, with a supported x-api-version (seed 002's header condition); nothing else
 * reaches the ledger. One chart per mesh, same code.
 */
import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Condition, HttpMethod, IMesh, Mesh, MeshAuthorization, MeshCluster, MeshProvider, MeshWorkload, MtlsMode, MtlsStage, Peer, StrictMtlsMigration,
  WorkloadSelector,
} from 'cdk8s-mesh';

const checkout = WorkloadSelector.labels({ app: 'checkout' }, { namespace: 'orders', ports: [8080, 9090] });

const PLAN: MtlsStage[] = [
  {
    name: 'all-permissive',
    namespaces: [{ namespace: 'payments', mode: MtlsMode.PERMISSIVE }, { namespace: 'orders', mode: MtlsMode.PERMISSIVE }],
    workloads: [{ workload: checkout, portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }] }],
  },
  {
    name: 'payments-strict',
    namespaces: [{ namespace: 'payments', mode: MtlsMode.STRICT }, { namespace: 'orders', mode: MtlsMode.PERMISSIVE }],
    workloads: [{ workload: checkout, portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }] }],
  },
  {
    name: 'orders-strict',
    namespaces: [{ namespace: 'payments', mode: MtlsMode.STRICT }, { namespace: 'orders', mode: MtlsMode.STRICT }],
    workloads: [{ workload: checkout, portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }] }],
  },
];

interface MigrationProps extends ChartProps {
  readonly mesh: IMesh;
}

class FintechMigration extends Chart {
  constructor(scope: Construct, id: string, props: MigrationProps) {
    super(scope, id, props);
    const mesh = props.mesh;

    new StrictMtlsMigration(this, 'mtls', {
      mesh,
      stages: PLAN,
      currentStage: 1,
      // The reconciliation batch job still runs on VMs and calls orders: orders cannot go STRICT yet.
      nonMeshedClients: [{ name: 'reconciliation-batch (vm)', calls: ['orders'] }],
      plaintextAlert: { namespace: 'monitoring' },
    });

    const storefront = new MeshWorkload(this, 'storefront', {
      mesh, serviceName: 'storefront', version: 'v1', namespace: 'orders', image: 'registry.example.com/storefront:3.2.0', port: 8080,
    });
    const accounts = new MeshWorkload(this, 'accounts', {
      mesh, serviceName: 'accounts', version: 'v1', namespace: 'payments', image: 'registry.example.com/accounts:7.1.0', port: 8080,
    });
    new MeshAuthorization(this, 'accounts-viewer', {
      mesh,
      workload: accounts.workloadSelector,
      allow: [
        {
          name: 'storefront-read',
          from: [Peer.identity(storefront.identity)],
          // different methods on different paths, in one rule
          to: [{ methods: [HttpMethod.GET], paths: ['/accounts/*'] }, { methods: [HttpMethod.POST], paths: ['/accounts/search'] }],
          when: [Condition.header('x-api-version', ['v1', 'v2'])],
        },
        // kubelet probes have no mesh identity
        { name: 'probes', methods: [HttpMethod.GET], paths: ['/healthz'] },
      ],
    });
    new MeshAuthorization(this, 'ledger-lockdown', {
      mesh,
      workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'payments', ports: [8443] }),
    });
  }
}

const app = new App();
new FintechMigration(app, 'mtls-migration-istio', { mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }) });
new FintechMigration(app, 'mtls-migration-linkerd', { mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd() }) });
// Each chart renders the example for another mesh or setup: a cluster of its own, so the charts
// may repeat each other's objects (one owner per object holds within a cluster).
for (const chart of app.charts) if (chart.node.scope === app) MeshCluster.assign(chart, chart.node.id); // nested charts follow their parent
app.synth();
