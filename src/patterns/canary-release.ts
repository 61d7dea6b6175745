import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MeshIdentity, WorkloadSelector } from '../identity';
import { CanaryVersion } from './canary-version';
import { IMesh } from '../mesh';
import { IMeshHost } from '../mesh-host';
import { MeshWorkload } from '../mesh-workload';
import { CanaryVersionIntent } from './canary-version-intent';
import { RolloutPlan, RolloutPlanOptions, rolloutPlanOptions } from './rollout-plan';
import { MeshHost } from '../model/host';
import { VersionIntent } from '../model/intents';
import { RequestMatch } from '../model/match';
import { HttpRetryPolicy } from '../model/retry';
import { checkDns1123Label, checkPercent, checkServiceName, invalid } from '../private/errors';
import { own } from '../private/ownership';
import { positiveDuration, retryIntent, retryPolicy } from '../private/retry';
import { anything, arrayOf, checkProps, finiteNumber, dns1035Label, dns1123Label, duration, instanceOf, meshRef, optional, portNumber, Problems, required } from '../private/validation';

/**
 * Props for `CanaryRelease`.
 */
export interface CanaryReleaseProps {
  /** The mesh that renders the release. */
  readonly mesh: IMesh;

  /**
   * The Service clients call (the host). One Service of this name selects every version.
   */
  readonly serviceName: string;

  /**
   * The namespace of the release's objects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /** The Service port, named `http` with `appProtocol: http` so the mesh routes at L7. */
  readonly port: number;

  /**
   * The container port behind the Service port.
   * @default - the same as `port`
   */
  readonly targetPort?: number;

  /** The version that serves traffic today. */
  readonly stable: CanaryVersion;

  /** The version being rolled out. */
  readonly canary: CanaryVersion;

  /**
   * The canary's share of traffic at each step, in percent: strictly increasing integers in
   * 1..100 that end at 100.
   * @default [10, 25, 50, 100]
   */
  readonly steps?: number[];

  /**
   * The index in `steps` of the step in force. A pull request that bumps it moves the release
   * one step.
   * @default 0
   */
  readonly currentStep?: number;

  /**
   * Requests that always go to the canary, whatever the step (e.g. `RequestMatch.header('end-user', 'jason')`).
   * @default - none
   */
  readonly canaryMatches?: RequestMatch[];

  /**
   * Percentage of the stable version's traffic that is also copied to the canary; the copies'
   * responses are discarded.
   * @default - no mirroring
   * @see https://istio.io/latest/docs/tasks/traffic-management/mirroring/
   */
  readonly mirrorPercent?: number;

  /**
   * Retries of the release's routes.
   * @default - the mesh's default
   */
  readonly retries?: HttpRetryPolicy;

  /**
   * Request timeout of the release's routes.
   * @default - the mesh's default
   */
  readonly timeout?: Duration;

  /**
   * The rollout plan: every step's routing objects and a summary (a Markdown table and a Mermaid
   * flowchart), written by the synthesis into `<outdir>/rollout-plans/` for review.
   * @default - written, into `rollout-plans/`
   */
  readonly rolloutPlan?: RolloutPlanOptions;
}

/**
 * Ships a new version safely: the stable and canary workloads, the Service that selects both,
 * and routing that sends the current step's share of traffic (plus any matched requests) to
 * the canary.
 */
export class CanaryRelease extends Construct implements IMeshHost {
  /** The Service clients call. */
  public readonly service: kplus.Service;
  /** The stable workload, when the release deploys it. */
  public readonly stableWorkload?: MeshWorkload;
  /** The canary workload, when the release deploys it. */
  public readonly canaryWorkload?: MeshWorkload;
  /** The canary's share of traffic in percent at the current step. */
  public readonly canaryWeight: number;
  /** The name of the stable version. */
  public readonly stableVersion: string;
  /** The name of the canary version. */
  public readonly canaryVersion: string;
  /**
   * The identity both versions share (a ServiceAccount named after the service), when the
   * release deploys them.
   */
  public readonly identity?: MeshIdentity;
  /** The pods of every version (the labels they share, e.g. `app: <serviceName>`) and their port, for policies. */
  public readonly workloadSelector: WorkloadSelector;
  /**
   * The objects the mesh renders for the release's host, shared with every construct on the
   * host (RoutePolicy, CircuitBreaker): an escape hatch. `ApiObject.of(release.routing)` is the
   * routing object (VirtualService, HTTPRoute or TrafficSplit); the others are its siblings by
   * kind, e.g. `release.routing.node.findChild('DestinationRule')`. They exist from construction;
   * their content is filled in at synthesis, and patches apply over it.
   */
  public readonly routing: Construct;
  /** The rollout plan the synthesis writes, unless disabled. */
  public readonly rolloutPlan?: RolloutPlan;
  public readonly mesh: IMesh;
  public readonly hostName: string;
  public readonly hostNamespace?: string;
  public readonly port: number;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const problems = new Problems(this);
    checkProps(this, props, {
      mesh: required(meshRef),
      serviceName: required(dns1035Label),
      namespace: optional(dns1123Label),
      port: required(portNumber),
      targetPort: optional(portNumber),
      stable: required(instanceOf(CanaryVersion, 'CanaryVersion (CanaryVersion.deploy(), .fromDeployment() or .fromLabels())')),
      canary: required(instanceOf(CanaryVersion, 'CanaryVersion (CanaryVersion.deploy(), .fromDeployment() or .fromLabels())')),
      steps: optional(arrayOf(anything, { what: 'integers in 1..100' })),
      currentStep: optional(finiteNumber),
      canaryMatches: optional(arrayOf(instanceOf(RequestMatch, 'RequestMatch (RequestMatch.header(), .of(), ...)'))),
      retries: optional(retryPolicy),
      timeout: optional(duration()),
      rolloutPlan: optional(rolloutPlanOptions),
    }, '', problems);
    if (typeof props !== 'object' || props === null) problems.throwIfAny();
    problems.run(() => checkServiceName(this, 'serviceName', props.serviceName));
    if (props.namespace != null) problems.run(() => checkDns1123Label(this, 'namespace', props.namespace!));
    const targetPort = props.targetPort ?? props.port;
    const stableIntent = problems.run(() => props.stable._toIntent(this, 'stable'));
    const canaryIntent = problems.run(() => props.canary._toIntent(this, 'canary'));
    if (stableIntent && canaryIntent && props.stable.name === props.canary.name) {
      problems.run(() => invalid(this, 'canary.name', props.canary.name, 'different from the stable version\'s name'));
    }
    this.canaryWeight = problems.run(() => stepWeight(this, props.steps ?? [10, 25, 50, 100], props.currentStep ?? 0)) ?? 0;
    if (props.mirrorPercent !== undefined) {
      problems.run(() => checkPercent(this, 'mirrorPercent', props.mirrorPercent!));
      if (props.mirrorPercent === 0) problems.run(() => invalid(this, 'mirrorPercent', 0, 'above 0 (0 mirrors nothing: leave mirrorPercent out)'));
      // Mirroring copies the stable version's traffic to the canary; at 100 % there is none, and the
      // mesh would copy the canary's own requests to itself.
      if (this.canaryWeight === 100) {
        problems.run(() => invalid(this, 'mirrorPercent', props.mirrorPercent, `unset at a step that sends every request to the canary (step ${props.currentStep ?? 0} is 100 %): mirroring copies what goes to the stable version, and nothing does`));
      }
    }
    if (props.timeout != null) problems.run(() => positiveDuration(this, 'timeout', props.timeout!));
    const retries = props.retries ? problems.run(() => retryIntent(this, 'retries', props.retries!, props.timeout ?? undefined)) : undefined;
    const matches = problems.run(() => (props.canaryMatches ?? []).map((m, i) => m._toIntent(this, `canaryMatches[${i}]`))) ?? [];
    problems.throwIfAny();
    const provider = props.mesh.provider;
    // Routing APIs that address versions through Services need `<service>-<version>` to be a valid name.
    const versionServiceName = (version: string) => {
      if (!provider._renderers.traffic.versionServices) return undefined;
      const name = `${props.serviceName}-${version}`;
      checkServiceName(this, 'per-version Service name', name);
      return name;
    };
    versionServiceName(props.stable.name);
    versionServiceName(props.canary.name);

    this.mesh = props.mesh;
    this.stableVersion = props.stable.name;
    this.canaryVersion = props.canary.name;
    this.hostName = props.serviceName;
    this.hostNamespace = props.namespace;
    this.port = props.port;

    // Versions of one service share one identity, so authorization rules hold during the release.
    const deploysAny = stableIntent!.kind === 'deploy' || canaryIntent!.kind === 'deploy';
    const serviceAccount = deploysAny ? new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.serviceName, namespace: props.namespace, labels: { app: props.serviceName } },
      automountToken: false,
    }) : undefined;
    if (serviceAccount) own(ApiObject.of(serviceAccount), { owner: this });
    const namespace = props.namespace ?? Chart.of(this).namespace;
    this.identity = serviceAccount ? MeshIdentity._of(serviceAccount.name, namespace) : undefined;
    const bind = (v: CanaryVersionIntent, workloadId: string): { labels: Record<string, string>; workload?: MeshWorkload } => {
      if (v.kind === 'existing') return { labels: v.labels };
      const workload = new MeshWorkload(this, workloadId, {
        ...v.deploy,
        mesh: props.mesh,
        serviceName: props.serviceName,
        version: v.name,
        port: targetPort,
        namespace: props.namespace,
        serviceAccount,
      });
      return { labels: workload.selectorLabels, workload };
    };
    const stable = bind(stableIntent!, 'Stable');
    const canary = bind(canaryIntent!, 'Canary');
    this.stableWorkload = stable.workload;
    this.canaryWorkload = canary.workload;

    // One Service selects all versions: the labels the versions have in common.
    const common = Object.entries(stable.labels).filter(([k, v]) => canary.labels[k] === v);
    if (common.length === 0) {
      invalid(this, 'stable/canary labels', { stable: stable.labels, canary: canary.labels },
        'sharing at least one label (such as app) so one Service can select both versions');
    }
    this.workloadSelector = WorkloadSelector.labels(Object.fromEntries(common), { namespace, ports: [targetPort] })._withService(props.serviceName);
    this.service = httpService(this, 'Service', props.serviceName, props.namespace, props.port, targetPort, Object.fromEntries(common));

    const versions: VersionIntent[] = [
      { name: props.stable.name, labels: stable.labels },
      { name: props.canary.name, labels: canary.labels },
    ]
      .map(v => {
        const serviceName = versionServiceName(v.name);
        if (!serviceName) return v;
        httpService(this, `Service-${v.name}`, serviceName, props.namespace, props.port, targetPort, v.labels);
        return { ...v, serviceName };
      });

    const host = MeshHost.obtain(this, provider._renderers, { name: props.serviceName, namespace: props.namespace, port: props.port });
    this.routing = host;
    versions.forEach(v => host.addVersion(this, v));
    const routeCommon = { source: this, retries, timeout: props.timeout };
    if (matches.length > 0) {
      host.addRoute({ ...routeCommon, name: 'canary-match', matches, backends: [{ version: props.canary.name, weight: 100 }] });
    }
    host.addRoute({
      ...routeCommon,
      name: 'canary-split',
      matches: [],
      backends: [
        { version: props.stable.name, weight: 100 - this.canaryWeight },
        { version: props.canary.name, weight: this.canaryWeight },
      ],
      mirror: props.mirrorPercent !== undefined ? { version: props.canary.name, percent: props.mirrorPercent } : undefined,
    });
    // Meshes that configure a host by annotating its Service (Linkerd failure accrual) find it here.
    host.bindService(this, ApiObject.of(this.service));
    this.rolloutPlan = RolloutPlan._attach({
      host,
      release: this,
      splitRoute: 'canary-split',
      stable: props.stable.name,
      canary: props.canary.name,
      steps: props.steps ?? [10, 25, 50, 100],
      currentStep: props.currentStep ?? 0,
      matches,
      mirrorPercent: props.mirrorPercent,
    }, props.rolloutPlan);
  }
}

/** Validates the steps and returns the canary weight at `current`. */
function stepWeight(scope: IConstruct, steps: number[], current: number): number {
  const rule = 'strictly increasing integers in 1..100 ending at 100, e.g. [5, 25, 50, 100]';
  if (steps.length === 0) invalid(scope, 'steps', steps, rule);
  steps.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 1 || s > 100 || (i > 0 && s <= steps[i - 1])) invalid(scope, 'steps', steps, rule);
  });
  if (steps[steps.length - 1] !== 100) invalid(scope, 'steps', steps, rule);
  if (!Number.isInteger(current) || current < 0 || current >= steps.length) {
    invalid(scope, 'currentStep', current, `an index into steps (0..${steps.length - 1})`);
  }
  return steps[current];
}

/** A ClusterIP Service with one port named `http` (and appProtocol http), for L7 routing. */
function httpService(scope: Construct, id: string, name: string, namespace: string | undefined, port: number,
  targetPort: number, selector: Record<string, string>): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: { name, namespace, labels: { app: selector.app ?? name } },
    ports: [{ name: 'http', port, targetPort }],
  });
  for (const [k, v] of Object.entries(selector)) {
    service.selectLabel(k, v);
  }
  ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', 'http'));
  own(ApiObject.of(service), { owner: scope });
  return service;
}
