import { Chart, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { WorkloadSelector } from '../identity';
import { IMesh } from '../mesh';
import { MtlsIntent, MtlsModeIntent, NamespaceMtlsIntent, WorkloadMtlsIntent } from '../model/security';
import { checkDns1123Label, checkPort, invalid, throwUnsupported } from '../private/errors';
import { arrayOf, Check, checkProps, dns1123Label, duration, enumOf, instanceOf, meshRef, nonEmptyString, number, object, optional, portNumber, required, string } from '../private/validation';
import { warn } from '../private/warnings';
import { MeshWarnings } from '../warnings';

const MODE: Check = (p, prop, v) => enumOf(MtlsMode, 'MtlsMode')(p, prop, v);
const NAMESPACES: Check = (p, prop, v) => arrayOf(object({ namespace: required(dns1123Label), mode: required(MODE) }))(p, prop, v);
const WORKLOADS: Check = (p, prop, v) => arrayOf(object({
  workload: required(instanceOf(WorkloadSelector, 'WorkloadSelector (WorkloadSelector.labels(), or a workload\'s workloadSelector)')),
  name: optional(dns1123Label),
  mode: optional(MODE),
  portExceptions: optional(arrayOf(object({ port: required(portNumber), mode: required(MODE) }))),
}))(p, prop, v);

/**
 * How a server side accepts connections.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export enum MtlsMode {
  /** inherit from the parent scope (namespace, then mesh) */
  UNSET = 'UNSET',
  /**
   * no mTLS: plaintext only. Istio sidecar mode only (ambient ignores it). On Linkerd, meshed pods
   * always use mTLS with each other; a port exception in DISABLE accepts clients without it.
   */
  DISABLE = 'DISABLE',
  /**
   * mTLS and plaintext (the migration phase). Linkerd: `all-unauthenticated`.
   */
  PERMISSIVE = 'PERMISSIVE',
  /**
   * mTLS only. Linkerd: `all-authenticated`.
   */
  STRICT = 'STRICT',
}

/**
 * A port that keeps another mode than its workload, e.g. a metrics port scraped by a Prometheus
 * outside the mesh, or a port that a load balancer health-checks.
 */
export interface MtlsPortException {
  /** The container port. */
  readonly port: number;

  /**
   * The port's mode: PERMISSIVE or DISABLE (accept plaintext), or STRICT.
   * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-port_level_mtls
   */
  readonly mode: MtlsMode;
}

/**
 * A namespace and its mode.
 */
export interface MtlsNamespace {
  /** The namespace. */
  readonly namespace: string;
  /** The namespace's mode. */
  readonly mode: MtlsMode;
}

/**
 * A workload with its own mode or port exceptions.
 */
export interface MtlsWorkload {
  /**
   * The workload's pods (e.g. `release.workloadSelector`). Linkerd needs its ports.
   */
  readonly workload: WorkloadSelector;

  /**
   * The name of the workload's objects, unique in its namespace.
   * @default - the workload's `app` label
   */
  readonly name?: string;

  /**
   * The workload's mode.
   * @default MtlsMode.UNSET - the namespace's mode
   */
  readonly mode?: MtlsMode;

  /**
   * Ports that keep another mode.
   * @default - none
   */
  readonly portExceptions?: MtlsPortException[];
}

/**
 * One stage of a migration plan: the modes in force while it is current.
 */
export interface MtlsStage {
  /**
   * A name for messages and reviews, e.g. `"payments permissive"`.
   * @default `stage-<index>`
   */
  readonly name?: string;

  /**
   * The mesh-wide mode.
   * @default - no mesh-wide setting (the mesh's default applies)
   */
  readonly meshWide?: MtlsMode;

  /**
   * Namespaces and their modes. A namespace left out has no setting of its own.
   * @default - none
   */
  readonly namespaces?: MtlsNamespace[];

  /**
   * Workloads with their own mode or port exceptions.
   * @default - none
   */
  readonly workloads?: MtlsWorkload[];
}

/**
 * A client outside the mesh (no proxy, so no mTLS) that calls into some namespaces. While it
 * does, those namespaces cannot be STRICT.
 */
export interface NonMeshedClient {
  /** The client's name, shown in errors, e.g. `"legacy-batch (vm)"`. */
  readonly name: string;
  /** The namespaces it calls. */
  readonly calls: string[];
}

/**
 * A Prometheus alert that fires while plaintext requests still reach a namespace that is about
 * to go STRICT, so the next stage is gated on evidence.
 */
export interface PlaintextAlertOptions {
  /**
   * The namespace of the PrometheusRule (one that the Prometheus operator watches).
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * How long plaintext requests must persist before the alert fires.
   * @default Duration.minutes(10)
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
   */
  readonly for?: Duration;

  /**
   * The `severity` label of the alert.
   * @default "warning"
   */
  readonly severity?: string;

  /**
   * Labels of the PrometheusRule object, for the Prometheus operator's `ruleSelector` (a
   * Prometheus loads only the rules its selector matches; kube-prometheus-stack's default selects
   * `release: <its Helm release name>`, e.g. `{ release: 'kube-prometheus-stack' }`).
   * @default - no labels: only a Prometheus with an empty `ruleSelector` loads the rule
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusSpec
   */
  readonly ruleLabels?: { [key: string]: string };
}

/**
 * Props for `StrictMtlsMigration`. Give either the modes in force (`meshWide`, `namespaces`,
 * `workloads`) or a plan (`stages` and `currentStage`).
 */
export interface StrictMtlsMigrationProps {
  /** The mesh that renders the migration. */
  readonly mesh: IMesh;

  /**
   * The mesh-wide mode (without a plan).
   * @default - no mesh-wide setting
   */
  readonly meshWide?: MtlsMode;

  /**
   * Namespaces and their modes (without a plan).
   * @default - none
   */
  readonly namespaces?: MtlsNamespace[];

  /**
   * Workloads with their own mode or port exceptions (without a plan).
   * @default - none
   */
  readonly workloads?: MtlsWorkload[];

  /**
   * An ordered plan; the stage at `currentStage` is rendered, so a pull request that bumps it
   * moves the migration one stage.
   * @default - no plan: the modes in `meshWide`, `namespaces` and `workloads`
   */
  readonly stages?: MtlsStage[];

  /**
   * The index in `stages` of the stage in force.
   * @default 0
   */
  readonly currentStage?: number;

  /**
   * Clients without a mesh proxy and the namespaces they call: STRICT for any of those
   * namespaces is an error that names the client.
   * @default - none
   */
  readonly nonMeshedClients?: NonMeshedClient[];

  /**
   * A PrometheusRule (`monitoring.coreos.com/v1`) that alerts while plaintext requests reach a
   * namespace about to go STRICT: the next stage's STRICT namespaces, or without a plan the
   * PERMISSIVE ones.
   * @default - no alert
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
   */
  readonly plaintextAlert?: PlaintextAlertOptions;
}

const RANK: Record<MtlsModeIntent, number> = { UNSET: 0, DISABLE: 0, PERMISSIVE: 1, STRICT: 2 };

/** One stage after validation. */
interface Stage {
  readonly name: string;
  readonly meshWide?: MtlsModeIntent;
  readonly namespaces: NamespaceMtlsIntent[];
  /** each namespace's own mode: plans span thousands of namespaces, looked up per namespace */
  readonly modes: ReadonlyMap<string, MtlsModeIntent>;
  readonly workloads: WorkloadMtlsIntent[];
}

/**
 * Encrypts everything without an outage: PERMISSIVE first, verify, then STRICT, namespace by
 * namespace, with exceptions for the ports and clients that cannot do mTLS.
 * Istio: PeerAuthentication mesh-wide (root namespace), per namespace and per workload with
 * `portLevelMtls`. Linkerd: the `config.linkerd.io/default-inbound-policy` annotation on a
 * Namespace object the migration owns, and a `Server` per workload port with its access policy.
 */
export class StrictMtlsMigration extends Construct {
  /** The index of the stage in force (0 without a plan). */
  public readonly currentStage: number;
  /** The name of the stage in force. */
  public readonly currentStageName: string;

  constructor(scope: Construct, id: string, props: StrictMtlsMigrationProps) {
    super(scope, id);
    checkProps(this, props, {
      mesh: required(meshRef),
      meshWide: optional(MODE),
      namespaces: optional(NAMESPACES),
      workloads: optional(WORKLOADS),
      stages: optional(arrayOf(object({
        name: optional(dns1123Label), meshWide: optional(MODE), namespaces: optional(NAMESPACES), workloads: optional(WORKLOADS),
      }))),
      currentStage: optional(number(0, 1000, { rule: 'an index into stages' })),
      nonMeshedClients: optional(arrayOf(object({
        name: required(nonEmptyString), calls: required(arrayOf(dns1123Label, { min: 1, unique: true })),
      }))),
      plaintextAlert: optional(object({
        namespace: optional(dns1123Label),
        for: optional(duration()),
        severity: optional(string({ max: 63, pattern: /^[A-Za-z0-9_-]+$/, rule: 'a label value such as "warning" or "critical"' })),
      })),
    });
    const direct = props.meshWide != null || props.namespaces != null || props.workloads != null;
    if (props.stages != null && direct) {
      invalid(this, 'stages', `${props.stages.length} stages`, 'used without meshWide, namespaces and workloads (the stages say them)');
    }
    if (props.stages == null && props.currentStage != null) {
      invalid(this, 'currentStage', props.currentStage, 'used with stages');
    }
    const plan = props.stages ?? [{ name: 'current', meshWide: props.meshWide, namespaces: props.namespaces, workloads: props.workloads }];
    if (plan.length === 0) invalid(this, 'stages', [], 'at least one stage');
    const current = props.currentStage ?? 0;
    if (!Number.isInteger(current) || current < 0 || current >= plan.length) {
      invalid(this, 'currentStage', current, `an index into stages (0..${plan.length - 1})`);
    }
    const prefix = props.stages ? (i: number) => `stages[${i}].` : () => '';
    const stages = plan.map((s, i) => stageOf(this, prefix(i), s, i));
    const names = new Set<string>();
    for (const s of stages) {
      if (names.has(s.name)) invalid(this, 'stage name', s.name, 'unique in the plan');
      names.add(s.name);
    }
    this.currentStage = current;
    this.currentStageName = stages[current].name;
    const stage = stages[current];

    checkNonMeshedClients(this, stage, props.nonMeshedClients ?? []);
    checkMeshWide(this, stages, current, props.stages !== undefined);
    warnBackwards(this, stages);
    if (props.stages) warnNotStrictAtEnd(this, stages);

    let alert: MtlsIntent['alert'];
    if (props.plaintextAlert) {
      const options = props.plaintextAlert;
      const watch = props.stages
        ? (current + 1 < stages.length ? strictSoon(stage, stages[current + 1]) : [])
        : stage.namespaces.filter(n => n.mode === 'PERMISSIVE').map(n => n.namespace);
      const namespace = options.namespace ?? Chart.of(this).namespace;
      if (namespace !== undefined) checkDns1123Label(this, 'plaintextAlert.namespace', namespace);
      if (options.for != null && options.for.toMilliseconds() <= 0) {
        invalid(this, 'plaintextAlert.for', options.for.toHumanString(), 'a positive duration');
      }
      const severity = options.severity ?? 'warning';
      if (!/^[A-Za-z0-9_-]+$/.test(severity)) invalid(this, 'plaintextAlert.severity', severity, 'a label value such as "warning" or "critical"');
      const ruleLabels = options.ruleLabels ?? {};
      for (const [k, v] of Object.entries(ruleLabels)) {
        if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) invalid(this, 'plaintextAlert.ruleLabels', k, 'Kubernetes label keys');
        if (!/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v) || v.length > 63) invalid(this, `plaintextAlert.ruleLabels.${k}`, v, 'a Kubernetes label value');
      }
      alert = {
        name: `${this.node.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-plaintext`,
        namespace,
        watchNamespaces: watch,
        for: options.for ?? Duration.minutes(10),
        severity,
        labels: Object.fromEntries(Object.entries(ruleLabels).sort(([a], [b]) => a.localeCompare(b))),
      };
      checkDns1123Label(this, 'PrometheusRule name', alert.name);
    }

    const intent: MtlsIntent = { source: this, meshWide: stage.meshWide, namespaces: stage.namespaces, workloads: stage.workloads, alert };
    const security = props.mesh.provider._renderers.security;
    throwUnsupported(this, security.displayName, security.mtlsUnsupported(intent));
    security.renderMtls(this, intent);
  }
}

function modeOf(scope: IConstruct, prop: string, mode: MtlsMode): MtlsModeIntent {
  if (!Object.values(MtlsMode).includes(mode)) invalid(scope, prop, mode, 'an MtlsMode');
  return mode as MtlsModeIntent;
}

function stageOf(scope: IConstruct, prefix: string, s: MtlsStage, index: number): Stage {
  const name = s.name ?? `stage-${index}`;
  const chartNamespace = Chart.of(scope).namespace;
  const namespaces = (s.namespaces ?? []).map((n, i) => {
    checkDns1123Label(scope, `${prefix}namespaces[${i}].namespace`, n.namespace);
    return { namespace: n.namespace, mode: modeOf(scope, `${prefix}namespaces[${i}].mode`, n.mode) };
  }).sort((a, b) => a.namespace.localeCompare(b.namespace));
  namespaces.forEach((n, i) => {
    if (i > 0 && namespaces[i - 1].namespace === n.namespace) invalid(scope, `${prefix}namespaces`, n.namespace, 'listed once per stage');
  });
  const workloads = (s.workloads ?? []).map((w, i): WorkloadMtlsIntent => {
    const p = `${prefix}workloads[${i}]`;
    const namespace = w.workload.namespace ?? chartNamespace;
    if (namespace === undefined) invalid(scope, `${p}.workload.namespace`, namespace, 'set when the chart has no namespace');
    const wname = w.name ?? w.workload.podLabels.app;
    if (wname === undefined) invalid(scope, `${p}.name`, wname, 'set when the workload has no app label');
    checkDns1123Label(scope, `${p}.name`, wname);
    const exceptions = (w.portExceptions ?? []).map((e, j) => {
      checkPort(scope, `${p}.portExceptions[${j}].port`, e.port);
      const mode = modeOf(scope, `${p}.portExceptions[${j}].mode`, e.mode);
      if (mode === 'UNSET') invalid(scope, `${p}.portExceptions[${j}].mode`, mode, 'PERMISSIVE, DISABLE or STRICT (an exception that inherits is no exception)');
      return { port: e.port, mode };
    }).sort((a, b) => a.port - b.port);
    exceptions.forEach((e, j) => {
      if (j > 0 && exceptions[j - 1].port === e.port) invalid(scope, `${p}.portExceptions`, e.port, 'one exception per port');
    });
    const mode = modeOf(scope, `${p}.mode`, w.mode ?? MtlsMode.UNSET);
    if (mode === 'UNSET' && exceptions.length === 0) invalid(scope, `${p}.mode`, mode, 'set, or portExceptions given (the entry would do nothing)');
    return { name: wname, workload: { namespace, labels: w.workload.podLabels, ports: w.workload.ports }, mode, portExceptions: exceptions };
  }).sort((a, b) => a.workload.namespace.localeCompare(b.workload.namespace) || a.name.localeCompare(b.name));
  workloads.forEach((w, i) => {
    const prev = workloads[i - 1];
    if (prev && prev.workload.namespace === w.workload.namespace && prev.name === w.name) {
      invalid(scope, `${prefix}workloads`, `${w.workload.namespace}/${w.name}`, 'unique names per namespace (set name)');
    }
  });
  const meshWide = s.meshWide !== undefined ? modeOf(scope, `${prefix}meshWide`, s.meshWide) : undefined;
  return { name, meshWide, namespaces, modes: new Map(namespaces.map(n => [n.namespace, n.mode])), workloads };
}

/** The mode a namespace's pods get: their own, else the mesh-wide one. */
function effective(stage: Stage, namespace: string): MtlsModeIntent {
  const own = stage.modes.get(namespace) ?? 'UNSET';
  return own !== 'UNSET' ? own : stage.meshWide ?? 'UNSET';
}

function checkNonMeshedClients(scope: IConstruct, stage: Stage, clients: NonMeshedClient[]): void {
  clients.forEach((c, i) => {
    if (c.name.trim() === '') invalid(scope, `nonMeshedClients[${i}].name`, c.name, 'a non-empty name');
    for (const ns of c.calls) {
      checkDns1123Label(scope, `nonMeshedClients[${i}].calls`, ns);
      if (effective(stage, ns) === 'STRICT') {
        const via = stage.modes.get(ns) === 'STRICT' ? '' : ' (through the mesh-wide mode)';
        throw new Error(`${scope.node.path}: namespace '${ns}' cannot be STRICT in stage '${stage.name}'${via}: the non-meshed client '${c.name}' calls it and has no mTLS; keep '${ns}' PERMISSIVE until the client is meshed or stops calling it, then remove it from nonMeshedClients`);
      }
    }
  });
}

function checkMeshWide(scope: IConstruct, stages: Stage[], current: number, planned: boolean): void {
  const stage = stages[current];
  if (stage.meshWide !== 'STRICT') return;
  const listed = [...new Set(stages.flatMap(s => s.namespaces.map(n => n.namespace)))].sort();
  const own = (s: Stage, ns: string) => s.modes.get(ns) ?? 'UNSET';
  // In a plan, a namespace has passed PERMISSIVE only if an earlier stage ran it PERMISSIVE (or it
  // still is): STRICT in the first stage skipped the verification. Without a plan the props state
  // the modes in force, and an explicit STRICT says that migration happened.
  const passed = (ns: string) => planned
    ? own(stage, ns) === 'PERMISSIVE' || stages.slice(0, current).some(s => effective(s, ns) === 'PERMISSIVE')
    : ['PERMISSIVE', 'STRICT'].includes(own(stage, ns));
  const notPassed = listed.filter(ns => !passed(ns));
  if (notPassed.length > 0) {
    throw new Error(`${scope.node.path}: mesh-wide STRICT in stage '${stage.name}' comes before ${notPassed.map(n => `'${n}'`).join(', ')} passed PERMISSIVE; make every listed namespace PERMISSIVE (and verify) in an earlier stage`);
  }
}

function warnBackwards(scope: IConstruct, stages: Stage[]): void {
  for (let i = 1; i < stages.length; i++) {
    const [prev, next] = [stages[i - 1], stages[i]];
    const scopes = [
      ['mesh-wide', prev.meshWide ?? 'UNSET', next.meshWide ?? 'UNSET'],
      ...[...new Set([...prev.namespaces, ...next.namespaces].map(n => n.namespace))].sort().map(ns => [
        `namespace '${ns}'`, effective(prev, ns), effective(next, ns),
      ]),
    ] as [string, MtlsModeIntent, MtlsModeIntent][];
    for (const [what, from, to] of scopes) {
      if (RANK[to] < RANK[from]) {
        warn(scope, MeshWarnings.MTLS_PLAN_BACKWARDS, `the plan goes backwards: ${what} is ${from} in stage '${prev.name}' but ${to} in stage '${next.name}'`);
      }
    }
  }
}

/**
 * A plan's end state is STRICT (issue 13's secure defaults): every namespace a stage lists, the
 * mesh-wide mode if a stage sets one, and every workload mode of the last stage. Port exceptions
 * are deliberate and stay allowed.
 */
function warnNotStrictAtEnd(scope: IConstruct, stages: Stage[]): void {
  const last = stages[stages.length - 1];
  const loose: string[] = [];
  if (stages.some(s => s.meshWide !== undefined) && last.meshWide !== 'STRICT') loose.push(`mesh-wide is ${last.meshWide ?? 'UNSET'}`);
  for (const ns of [...new Set(stages.flatMap(s => s.namespaces.map(n => n.namespace)))].sort()) {
    const mode = effective(last, ns);
    if (mode !== 'STRICT') loose.push(`namespace '${ns}' is ${mode}`);
  }
  for (const w of last.workloads) {
    if (w.mode !== 'UNSET' && w.mode !== 'STRICT') loose.push(`workload '${w.name}' is ${w.mode}`);
  }
  if (loose.length > 0) {
    warn(scope, MeshWarnings.MTLS_PLAN_NOT_STRICT, `the plan does not end STRICT: in its last stage '${last.name}', ${loose.join(', ')}; add a stage that makes them STRICT`);
  }
}

/** Namespaces that are not STRICT in `stage` and will be in `next` (own mode, or mesh-wide). */
function strictSoon(stage: Stage, next: Stage): string[] {
  const all = [...new Set([...stage.namespaces, ...next.namespaces].map(n => n.namespace))].sort();
  return all.filter(ns => effective(stage, ns) !== 'STRICT' && effective(next, ns) === 'STRICT');
}
