import { Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  IstioDataPlaneMode, LinkerdVersion, Mesh, MeshProvider, MeshWarnings, MtlsMode, MtlsStage, StrictMtlsMigration, WorkloadSelector,
} from '../../src';
import { chart, meshOf, ofKind, one } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';
import { printedWarnings } from '../support/warnings';

const reviews = WorkloadSelector.labels({ app: 'reviews' }, { namespace: 'production', ports: [9080] });

/** The seeds' progression: `default` PERMISSIVE, then STRICT; `production` STRICT with port 9080 DISABLE. */
function seedStages(): MtlsStage[] {
  return [
    { name: 'permissive', namespaces: [{ namespace: 'default', mode: MtlsMode.PERMISSIVE }] },
    {
      name: 'strict',
      namespaces: [{ namespace: 'default', mode: MtlsMode.STRICT }, { namespace: 'production', mode: MtlsMode.STRICT }],
      workloads: [{ workload: reviews, portExceptions: [{ port: 9080, mode: MtlsMode.DISABLE }] }],
    },
  ];
}

/** A 3-stage plan over three namespaces; the last stage makes the mesh STRICT. */
const THREE_STAGES: MtlsStage[] = [
  {
    name: 'all-permissive',
    namespaces: ['payments', 'orders', 'catalog'].map(namespace => ({ namespace, mode: MtlsMode.PERMISSIVE })),
  },
  {
    name: 'payments-strict',
    namespaces: [
      { namespace: 'payments', mode: MtlsMode.STRICT },
      { namespace: 'orders', mode: MtlsMode.PERMISSIVE },
      { namespace: 'catalog', mode: MtlsMode.PERMISSIVE },
    ],
    workloads: [{
      workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'payments', ports: [8080, 9090] }),
      portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
    }],
  },
  {
    name: 'mesh-strict',
    meshWide: MtlsMode.STRICT,
    namespaces: ['payments', 'orders', 'catalog'].map(namespace => ({ namespace, mode: MtlsMode.STRICT })),
    workloads: [{
      workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'payments', ports: [8080, 9090] }),
      portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
    }],
  },
];

function synthStage(provider: string, stages: MtlsStage[], currentStage: number, extra: object = {}) {
  const c = chart('security');
  new StrictMtlsMigration(c, 'migration', { mesh: meshOf(provider), stages, currentStage, ...extra });
  return Testing.synth(c);
}

describe('StrictMtlsMigration on Istio', () => {
  test('the seeds\' first step: PERMISSIVE for default', () => {
    const out = synthStage('istio', seedStages(), 0);
    expect(out).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'default' },
      spec: { mtls: { mode: 'PERMISSIVE' } },
    }]);
  });

  test('the seeds\' second step: STRICT, with port 9080 DISABLE in production (on a selector, as portLevelMtls requires)', () => {
    const out = synthStage('istio', seedStages(), 1);
    expect(ofKind(out, 'PeerAuthentication').map(o => `${o.metadata.namespace}/${o.metadata.name}`))
      .toEqual(['default/default', 'production/default', 'production/reviews']);
    expect(one(out, 'PeerAuthentication', 'reviews').spec).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      portLevelMtls: { 9080: { mode: 'DISABLE' } },
    });
  });

  test('mesh-wide STRICT goes to the root namespace, configurable', () => {
    const out = synthStage('istio', THREE_STAGES, 2);
    const mesh = ofKind(out, 'PeerAuthentication').find(o => o.metadata.namespace === 'istio-system');
    expect(mesh.spec).toEqual({ mtls: { mode: 'STRICT' } });

    const c = chart();
    new StrictMtlsMigration(c, 'm', {
      mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ rootNamespace: 'mesh-root' }) }),
      meshWide: MtlsMode.PERMISSIVE,
    });
    expect(Testing.synth(c)[0].metadata).toEqual({ name: 'default', namespace: 'mesh-root' });
  });

  test('a workload mode and port exceptions share one PeerAuthentication', () => {
    const c = chart('shop');
    new StrictMtlsMigration(c, 'm', {
      mesh: meshOf('istio'),
      workloads: [{
        workload: WorkloadSelector.labels({ app: 'cart' }, { ports: [8080] }),
        mode: MtlsMode.STRICT,
        portExceptions: [{ port: 15090, mode: MtlsMode.PERMISSIVE }, { port: 8081, mode: MtlsMode.DISABLE }],
      }],
    });
    expect(Testing.synth(c)).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'cart' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { 8081: { mode: 'DISABLE' }, 15090: { mode: 'PERMISSIVE' } },
      },
    }]);
  });

  test('ambient mode rejects DISABLE', () => {
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });
    expect(() => new StrictMtlsMigration(chart(), 'm', { mesh, stages: seedStages(), currentStage: 1 }))
      .toThrow(/^test\/m: Istio ambient \(security.istio.io\/v1\) cannot express mTLS mode DISABLE \(port 9080 of 'production\/reviews'\); ztunnel ignores it in ambient mode; use PERMISSIVE/);
    expect(() => new StrictMtlsMigration(chart(), 'm2', { mesh, namespaces: [{ namespace: 'legacy', mode: MtlsMode.DISABLE }] }))
      .toThrow(/cannot express mTLS mode DISABLE \(namespace 'legacy'\)/);
    // PERMISSIVE and STRICT are fine in ambient
    const c = chart();
    new StrictMtlsMigration(c, 'ok', { mesh, stages: seedStages(), currentStage: 0 });
    expect(Testing.synth(c)).toHaveLength(1);
  });
});

describe('StrictMtlsMigration on Linkerd', () => {
  test('namespaces get the default-inbound-policy annotation on a Namespace the migration owns', () => {
    const out = synthStage('linkerd', seedStages(), 0);
    expect(out).toEqual([{
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'default',
        annotations: {
          'config.linkerd.io/default-inbound-policy': 'all-unauthenticated',
          'argocd.argoproj.io/sync-options': 'Prune=false',
          'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        },
      },
    }]);
  });

  test('STRICT is all-authenticated; a port exception is a Server that lets in clients without mTLS', () => {
    const out = synthStage('linkerd', seedStages(), 1);
    expect(ofKind(out, 'Namespace').map(n => [n.metadata.name, n.metadata.annotations['config.linkerd.io/default-inbound-policy']]))
      .toEqual([['default', 'all-authenticated'], ['production', 'all-authenticated']]);
    expect(one(out, 'Server')).toEqual({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'reviews-9080', namespace: 'production' },
      spec: { podSelector: { matchLabels: { app: 'reviews' } }, port: 9080, accessPolicy: 'all-unauthenticated' },
    });
  });

  test('before 2.16 a port exception is a Server, an AuthorizationPolicy and a NetworkAuthentication', () => {
    const c = chart();
    new StrictMtlsMigration(c, 'm', {
      mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd({ version: LinkerdVersion.V2_15 }) }),
      stages: seedStages(),
      currentStage: 1,
    });
    const out = Testing.synth(c);
    expect(one(out, 'Server').apiVersion).toBe('policy.linkerd.io/v1beta2');
    expect(one(out, 'Server').spec.accessPolicy).toBeUndefined();
    expect(one(out, 'NetworkAuthentication').spec.networks).toEqual([{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }]);
    expect(one(out, 'AuthorizationPolicy').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'reviews-9080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'reviews-9080' }],
    });
  });

  test('capability errors: mesh-wide mode, DISABLE, a workload mode without ports', () => {
    expect(() => synthStage('linkerd', THREE_STAGES, 2))
      .toThrow(/^test\/migration: Linkerd 2.20 cannot express a mesh-wide mTLS mode; set the control plane's Helm value proxy.defaultInboundPolicy \(all-authenticated\)/);
    expect(() => new StrictMtlsMigration(chart(), 'm', { mesh: meshOf('linkerd'), namespaces: [{ namespace: 'legacy', mode: MtlsMode.DISABLE }] }))
      .toThrow(/Linkerd 2.20 cannot express mTLS mode DISABLE \(namespace 'legacy'\); meshed pods always use mTLS/);
    expect(() => new StrictMtlsMigration(chart('shop'), 'm', {
      mesh: meshOf('linkerd'),
      workloads: [{ workload: WorkloadSelector.labels({ app: 'cart' }), mode: MtlsMode.STRICT }],
    })).toThrow(/cannot express a mode for workload 'shop\/cart' without its ports; give the workload's ports/);
  });
});

test('plain Gateway API has no mTLS API: a capability error that names the alternative', () => {
  expect(() => synthStage('gateway-api', seedStages(), 0))
    .toThrow('test/migration: Gateway API (any GAMMA mesh) cannot express mTLS modes (no standard API for them); choose the mesh (MeshProvider.istio() or MeshProvider.linkerd()), whose own API sets them');
});

describe('guard rails', () => {
  test('STRICT for a namespace that a declared non-meshed client calls is an error naming the client', () => {
    const clients = { nonMeshedClients: [{ name: 'legacy-batch (vm)', calls: ['payments'] }] };
    expect(() => synthStage('istio', THREE_STAGES, 1, clients))
      .toThrow("test/migration: namespace 'payments' cannot be STRICT in stage 'payments-strict': the non-meshed client 'legacy-batch (vm)' calls it and has no mTLS");
    // stage 0 keeps it PERMISSIVE: fine
    expect(synthStage('istio', THREE_STAGES, 0, clients)).toHaveLength(3);
  });

  test('mesh-wide STRICT makes an unlisted namespace STRICT too', () => {
    expect(() => new StrictMtlsMigration(chart(), 'm', {
      mesh: meshOf('istio'),
      meshWide: MtlsMode.STRICT,
      namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }],
      nonMeshedClients: [{ name: 'nagios', calls: ['shop', 'monitoring'] }],
    })).toThrow(/namespace 'monitoring' cannot be STRICT in stage 'current' \(through the mesh-wide mode\): the non-meshed client 'nagios'/);
  });

  test('mesh-wide STRICT before every listed namespace passed PERMISSIVE is an error', () => {
    const stages: MtlsStage[] = [
      { namespaces: [{ namespace: 'a', mode: MtlsMode.PERMISSIVE }] },
      { meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }] },
      { meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }, { namespace: 'b', mode: MtlsMode.PERMISSIVE }] },
    ];
    expect(() => synthStage('istio', stages, 1))
      .toThrow("test/migration: mesh-wide STRICT in stage 'stage-1' comes before 'b' passed PERMISSIVE; make every listed namespace PERMISSIVE (and verify) in an earlier stage");
    expect(() => new StrictMtlsMigration(chart(), 'm', {
      mesh: meshOf('istio'), meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'legacy', mode: MtlsMode.UNSET }],
    })).toThrow(/mesh-wide STRICT in stage 'current' comes before 'legacy' passed PERMISSIVE/);
  });

  test('a plan that goes backwards is a warning', () => {
    printedWarnings(true);
    const c = chart();
    const m = new StrictMtlsMigration(c, 'm', {
      mesh: meshOf('istio'),
      stages: [
        { namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }] },
        { name: 'oops', namespaces: [{ namespace: 'a', mode: MtlsMode.PERMISSIVE }] },
        { namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }] },
      ],
    });
    const message = "the plan goes backwards: namespace 'a' is STRICT in stage 'stage-0' but PERMISSIVE in stage 'oops'";
    expect(MeshWarnings.list(m)).toEqual([{ id: MeshWarnings.MTLS_PLAN_BACKWARDS, path: 'test/m', message }]);
    Testing.synth(c);
    expect(printedWarnings()).toEqual([`[WARNING] test/m: ${message} [cdk8s-mesh:mtls-plan-backwards]`]);
    // the forward plan warns about nothing
    const fwd = new StrictMtlsMigration(chart(), 'fwd', { mesh: meshOf('istio'), stages: THREE_STAGES, currentStage: 0 });
    expect(MeshWarnings.list(fwd)).toEqual([]);
  });

  test('a plan that does not end STRICT is a warning (its end state is STRICT; port exceptions allowed)', () => {
    printedWarnings(true);
    const c = chart();
    const m = new StrictMtlsMigration(c, 'm', {
      mesh: meshOf('istio'),
      stages: [
        { meshWide: MtlsMode.PERMISSIVE, namespaces: [{ namespace: 'a', mode: MtlsMode.PERMISSIVE }, { namespace: 'b', mode: MtlsMode.PERMISSIVE }] },
        {
          name: 'last',
          meshWide: MtlsMode.PERMISSIVE,
          namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }],
          workloads: [{ name: 'ledger', workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'a' }), mode: MtlsMode.PERMISSIVE }],
        },
      ],
    });
    const message = "the plan does not end STRICT: in its last stage 'last', mesh-wide is PERMISSIVE, namespace 'b' is PERMISSIVE, "
      + "workload 'ledger' is PERMISSIVE; add a stage that makes them STRICT";
    expect(MeshWarnings.list(m)).toEqual([{ id: MeshWarnings.MTLS_PLAN_NOT_STRICT, path: 'test/m', message }]);
    Testing.synth(c);
    expect(printedWarnings()).toEqual([`[WARNING] test/m: ${message} [cdk8s-mesh:mtls-plan-not-strict]`]);
    MeshWarnings.acknowledge(m, MeshWarnings.MTLS_PLAN_NOT_STRICT, 'a rollout in two pull requests');
    expect(MeshWarnings.list(m)).toEqual([]);
    // a plan ending STRICT with a PERMISSIVE port exception warns about nothing
    const exception = new StrictMtlsMigration(chart(), 'x', {
      mesh: meshOf('istio'),
      stages: [
        { namespaces: [{ namespace: 'a', mode: MtlsMode.PERMISSIVE }] },
        {
          namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }],
          workloads: [{
            workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'a', ports: [9090] }),
            portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
          }],
        },
      ],
    });
    expect(MeshWarnings.list(exception)).toEqual([]);
  });
});

describe('rejected input', () => {
  const mesh = meshOf('istio');
  test.each([
    ['stages and namespaces together', { stages: THREE_STAGES, namespaces: [] }, /'stages' \("3 stages"\) must be used without meshWide, namespaces and workloads/],
    ['currentStage without stages', { currentStage: 1 }, /'currentStage' \(1\) must be used with stages/],
    ['currentStage out of range', { stages: THREE_STAGES, currentStage: 3 }, /'currentStage' \(3\) must be an index into stages \(0..2\)/],
    ['no stages', { stages: [] }, /'stages' \(\[\]\) must be at least one stage/],
    ['a bad namespace', { namespaces: [{ namespace: 'Shop', mode: MtlsMode.STRICT }] }, /'namespaces\[0\].namespace' \("Shop"\) must be a DNS-1123 label/],
    ['a namespace twice', { namespaces: [{ namespace: 'a', mode: MtlsMode.STRICT }, { namespace: 'a', mode: MtlsMode.PERMISSIVE }] }, /'namespaces' \("a"\) must be listed once per stage/],
    ['an UNSET port exception', { workloads: [{ workload: reviews, portExceptions: [{ port: 9080, mode: MtlsMode.UNSET }] }] }, /'workloads\[0\].portExceptions\[0\].mode' \("UNSET"\) must be PERMISSIVE, DISABLE or STRICT/],
    ['a bad port', { workloads: [{ workload: reviews, portExceptions: [{ port: 70000, mode: MtlsMode.DISABLE }] }] }, /'workloads\[0\].portExceptions\[0\].port' \(70000\) must be an integer in 1..65535/],
    ['a port twice', { workloads: [{ workload: reviews, portExceptions: [{ port: 1, mode: MtlsMode.DISABLE }, { port: 1, mode: MtlsMode.STRICT }] }] }, /'workloads\[0\].portExceptions' \(1\) must be one exception per port/],
    ['a workload entry that does nothing', { workloads: [{ workload: reviews }] }, /'workloads\[0\].mode' \("UNSET"\) must be set, or portExceptions given/],
    ['a workload without a name', { workloads: [{ workload: WorkloadSelector.labels({ tier: 'db' }, { namespace: 'x' }), mode: MtlsMode.STRICT }] }, /'workloads\[0\].name' \(undefined\) must be set when the workload has no app label/],
    ['duplicate stage names', { stages: [{ name: 'x' }, { name: 'x' }] }, /'stage name' \("x"\) must be unique in the plan/],
    ['a non-positive alert delay', { namespaces: [], plaintextAlert: { for: Duration.seconds(0) } }, /'plaintextAlert.for' \("0 millis"\) must be a positive duration|'plaintextAlert.for' .* must be a positive duration/],
  ])('%s', (_name, props, message) => {
    expect(() => new StrictMtlsMigration(chart(), 'm', { mesh, ...(props as object) })).toThrow(message);
  });

  test('a workload without a namespace in a chart without one', () => {
    expect(() => new StrictMtlsMigration(chart(), 'm', { mesh, workloads: [{ workload: WorkloadSelector.labels({ app: 'x' }), mode: MtlsMode.STRICT }] }))
      .toThrow(/'workloads\[0\].workload.namespace' \(undefined\) must be set when the chart has no namespace/);
  });

  test('Istio options: root namespace and trust domain', () => {
    expect(() => MeshProvider.istio({ rootNamespace: 'Istio_System' })).toThrow(/MeshProvider.istio: 'rootNamespace' \("Istio_System"\) must be a DNS-1123 label/);
    expect(() => MeshProvider.istio({ trustDomain: 'prod example' })).toThrow(/MeshProvider.istio: 'trustDomain' \("prod example"\) must be a DNS name/);
  });

  test('selectors reject wildcards and empty label sets', () => {
    expect(() => WorkloadSelector.labels({})).toThrow(/'labels' \(\{\}\) must hold at least one label/);
    expect(() => WorkloadSelector.labels({ app: 'a*' })).toThrow(/without wildcards/);
    expect(() => WorkloadSelector.labels({ app: 'a' }, { ports: [0] })).toThrow(/'ports' \(\[0\]\) must be integers in 1..65535/);
  });
});

describe('plaintext alert', () => {
  test('two migrations whose alerts share a name: the error names the owner to rename', () => {
    const c = chart('security');
    const stages = (ns: string): MtlsStage[] => [
      { name: 'permissive', namespaces: [{ namespace: ns, mode: MtlsMode.PERMISSIVE }] },
      { name: 'strict', namespaces: [{ namespace: ns, mode: MtlsMode.STRICT }] },
    ];
    new StrictMtlsMigration(new Construct(c, 'team-a'), 'migration', { mesh: meshOf('istio'), stages: stages('payments'), currentStage: 0, plaintextAlert: {} });
    expect(() => new StrictMtlsMigration(new Construct(c, 'team-b'), 'migration', { mesh: meshOf('istio'), stages: stages('orders'), currentStage: 0, plaintextAlert: {} }))
      .toThrow(/^test\/team-b\/migration: emits PrometheusRule.monitoring.coreos.com security\/migration-plaintext, which test\/team-a\/migration emits too; .*give test\/team-a\/migration another id \(the alert is named after it\), or give test\/team-b\/migration another id \(the alert is named after it\)$/);
  });

  test('Istio: alerts on namespaces the next stage makes STRICT', () => {
    const out = synthStage('istio', THREE_STAGES, 0, { plaintextAlert: {} });
    const rule = one(out, 'PrometheusRule');
    expect(rule.metadata).toEqual({ name: 'migration-plaintext', namespace: 'security' });
    expect(rule.spec.groups[0].rules[0]).toMatchObject({
      alert: 'PlaintextRequestsBeforeStrictMtls',
      expr: 'sum by (destination_workload_namespace) (rate(istio_requests_total{reporter="destination", connection_security_policy!="mutual_tls", destination_workload_namespace=~"payments"}[5m])) > 0',
      for: '10m',
      labels: { severity: 'warning' },
    });
    // stage 1 -> 2 makes orders and catalog STRICT
    expect(one(synthStage('istio', THREE_STAGES, 1, { plaintextAlert: {} }), 'PrometheusRule').spec.groups[0].rules[0].expr)
      .toContain('destination_workload_namespace=~"catalog|orders"');
    // the last stage has nothing left to watch
    expect(ofKind(synthStage('istio', THREE_STAGES, 2, { plaintextAlert: {} }), 'PrometheusRule')).toEqual([]);
  });

  test('Linkerd: inbound requests without TLS, per namespace; without a plan the PERMISSIVE namespaces', () => {
    const c = chart('monitoring');
    new StrictMtlsMigration(c, 'm', {
      mesh: meshOf('linkerd'),
      namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }, { namespace: 'bank', mode: MtlsMode.STRICT }],
      plaintextAlert: { for: Duration.minutes(30), severity: 'critical' },
    });
    const rule = one(Testing.synth(c), 'PrometheusRule').spec.groups[0].rules[0];
    expect(rule.expr).toBe('sum by (namespace) (rate(request_total{direction="inbound", tls!="true", namespace=~"shop"}[5m])) > 0');
    expect(rule.for).toBe('30m');
    expect(rule.labels).toEqual({ severity: 'critical' });
  });
});

describe('the 3-stage plan synthesizes every stage, valid against the upstream schemas', () => {
  const outputs: Record<string, any[]> = {};
  for (const provider of ['istio', 'linkerd', 'linkerd-2-15']) {
    THREE_STAGES.forEach((stage, i) => {
      const expressible = !(provider.startsWith('linkerd') && stage.meshWide !== undefined);
      test(`${provider} stage ${i} (${stage.name})`, () => {
        if (!expressible) {
          expect(() => synthStage(provider, THREE_STAGES, i)).toThrow(/cannot express a mesh-wide mTLS mode/);
          return;
        }
        const out = synthStage(provider, THREE_STAGES, i, { plaintextAlert: {} });
        outputs[`${provider}-stage-${i}`] = out;
        expect(out.length).toBeGreaterThan(0);
      });
    });
    seedStages().forEach((_, i) => {
      test(`${provider} seed step ${i}`, () => {
        outputs[`${provider}-seed-${i}`] = synthStage(provider, seedStages(), i);
      });
    });
  }

  itValidates('all stages pass the validator', () => {
    expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(11);
    expectValid(outputs);
  });
});
