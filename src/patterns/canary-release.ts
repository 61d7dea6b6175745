import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MeshIdentity, WorkloadSelector } from '../identity';
import { CanaryVersion } from './canary-version';
import { declareDeliveryRelease } from './delivery-release';
import { RolloutPlan, RolloutPlanOptions, rolloutPlanOptions } from './rollout-plan';
import { SERVICE_FIELDS } from './service-versions';
import { declareTrafficRoutes } from './traffic-routes';
import { HostRouting } from '../host-routing';
import { IMesh } from '../mesh';
import { IMeshHost } from '../mesh-host';
import { MeshWorkload } from '../mesh-workload';
import { Delivery, IgnoreDifference } from '../model/delivery';
import { RouteIntent } from '../model/intents';
import { RequestMatch } from '../model/match';
import { ServiceProtocol } from '../model/protocol';
import { HttpRetryPolicy } from '../model/retry';
import { checkDns1123Label, checkPercent, checkServiceName, invalid } from '../private/errors';
import { checkGrpcMatches, checkTcpProps } from '../private/protocol';
import { positiveDuration, retryIntent, retryPolicy } from '../private/retry';
import { anything, arrayOf, checkProps, fieldsOnce, finiteNumber, duration, instanceOf, optional, Problems, required } from '../private/validation';

/** The checks of CanaryReleaseProps. */
const PROPS = fieldsOnce(() => ({
  ...SERVICE_FIELDS(),
  stable: required(instanceOf(CanaryVersion, 'CanaryVersion (CanaryVersion.deploy(), .fromDeployment() or .fromLabels())')),
  canary: required(instanceOf(CanaryVersion, 'CanaryVersion (CanaryVersion.deploy(), .fromDeployment() or .fromLabels())')),
  steps: optional(arrayOf(anything, { what: 'integers in 1..100' })),
  currentStep: optional(finiteNumber),
  canaryMatches: optional(arrayOf(instanceOf(RequestMatch, 'RequestMatch (RequestMatch.header(), .of(), ...)'))),
  retries: optional(retryPolicy),
  timeout: optional(duration()),
  delivery: optional(instanceOf(Delivery, 'Delivery (Delivery.steps(), .flagger() or .argoRollouts())')),
  rolloutPlan: optional(rolloutPlanOptions),
}));

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

  /** The Service port, named after `protocol`, with the `appProtocol` the mesh reads it from. */
  readonly port: number;

  /**
   * The container port behind the Service port.
   * @default - the same as `port`
   */
  readonly targetPort?: number;

  /**
   * What the port serves. gRPC: `canaryMatches` match gRPC methods and headers, and Gateway API
   * routes are GRPCRoutes. TCP: connections are split by the step's weights only (Istio `tcp`
   * routes, Gateway API TCPRoute); `canaryMatches`, `mirrorPercent`, `retries` and `timeout` are errors.
   * @default ServiceProtocol.HTTP
   */
  readonly protocol?: ServiceProtocol;

  /** The version that serves traffic today. */
  readonly stable: CanaryVersion;

  /** The version being rolled out. */
  readonly canary: CanaryVersion;

  /**
   * The canary's share of traffic at each step, in percent: strictly increasing integers in
   * 0..100 that end at 100. A first step of 0 deploys the canary without sending it requests
   * (a dark launch, e.g. with `mirrorPercent`).
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
   * What moves the release through its steps: static steps in Git, Flagger or Argo Rollouts, with
   * the same steps (and, for the controllers, the same analysis). See docs/delivery.md.
   * @default Delivery.steps()
   */
  readonly delivery?: Delivery;

  /**
   * The rollout plan: every step's routing objects and a summary (a Markdown table and a Mermaid
   * flowchart), written by the synthesis into `<outdir>/rollout-plans/` for review.
   * @default - written, into `rollout-plans/`, for static steps (a controller's own object lists its steps)
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
   * host (RoutePolicy, CircuitBreaker): an escape hatch. `release.routing.route` is the routing
   * object (VirtualService, HTTPRoute or TrafficSplit), `release.routing.ofKind('DestinationRule')`
   * the others by kind. They exist from construction (children of this release); their content is
   * filled in at synthesis, and patches apply over it.
   */
  public readonly routing: HostRouting;
  /** What moves the release through its steps. */
  public readonly delivery: Delivery;
  /**
   * The fields a delivery controller writes in the objects this release emits: Argo CD
   * `ignoreDifferences` entries for the Application that syncs them (empty for static steps and
   * for Flagger, which writes none of them). Flux needs nothing: those objects carry
   * `kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`.
   */
  public readonly ignoreDifferences: IgnoreDifference[];
  /** The rollout plan the synthesis writes, unless disabled. */
  public readonly rolloutPlan?: RolloutPlan;
  public readonly mesh: IMesh;
  public readonly hostName: string;
  public readonly hostNamespace?: string;
  public readonly port: number;
  /** What the port serves (always set; optional as in `IMeshHost`). */
  public readonly protocol?: ServiceProtocol;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const problems = new Problems(this);
    checkProps(this, props, PROPS(), '', problems);
    if (typeof props !== 'object' || props === null) problems.throwIfAny();
    problems.run(() => checkServiceName(this, 'serviceName', props.serviceName));
    if (props.namespace != null) problems.run(() => checkDns1123Label(this, 'namespace', props.namespace!));
    const targetPort = props.targetPort ?? props.port;
    const stableIntent = problems.run(() => props.stable._toIntent(this, 'stable'));
    const canaryIntent = problems.run(() => props.canary._toIntent(this, 'canary'));
    if (stableIntent && canaryIntent && props.stable.name === props.canary.name) {
      problems.run(() => invalid(this, 'canary.name', props.canary.name, 'different from the stable version\'s name'));
    }
    this.canaryWeight = stepWeight(this, props.steps ?? [10, 25, 50, 100], props.currentStep ?? 0, problems) ?? 0;
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
    const protocol = props.protocol ?? ServiceProtocol.HTTP;
    // A TCP host splits connections by the step's weights: nothing that reads a request applies.
    checkTcpProps(this, problems, protocol, () => ({
      canaryMatches: [props.canaryMatches, 'request matches'],
      mirrorPercent: [props.mirrorPercent, 'mirrors'],
      retries: [props.retries, 'retries'],
      timeout: [props.timeout instanceof Duration ? props.timeout.toHumanString() : props.timeout, 'request timeouts'],
    }));
    const matches = problems.run(() => {
      const intents = (props.canaryMatches ?? []).map((m, i) => m._toIntent(this, `canaryMatches[${i}]`));
      checkGrpcMatches(this, 'canaryMatches', intents, protocol);
      return intents;
    }) ?? [];
    this.delivery = props.delivery ?? Delivery.steps();
    const delivery = problems.run(() => this.delivery._toIntent(this, 'delivery'));
    const engine = this.delivery.engine === 'flagger' ? 'Delivery.flagger()' : 'Delivery.argoRollouts()';
    if (delivery && delivery.engine !== 'steps' && props.currentStep !== undefined && props.currentStep !== 0) {
      problems.run(() => invalid(this, 'currentStep', props.currentStep, `unset with ${engine}: the controller moves through the steps itself`));
    }
    if (delivery && delivery.engine !== 'steps' && protocol !== ServiceProtocol.HTTP) {
      problems.run(() => invalid(this, 'protocol', protocol, `ServiceProtocol.HTTP with ${engine}: its Services, routes and analysis are built for HTTP requests here; use static steps for another protocol`));
    }
    // The plan renders static steps; a controller's own object (Canary, Rollout) lists its steps.
    if (delivery && delivery.engine !== 'steps' && props.rolloutPlan != null && props.rolloutPlan.enabled !== false) {
      problems.run(() => invalid(this, 'rolloutPlan', props.rolloutPlan, `unset with ${engine}: the plan shows static steps, and the controller's Canary or Rollout lists its own`));
    }
    problems.throwIfAny();
    this.mesh = props.mesh;
    this.stableVersion = props.stable.name;
    this.canaryVersion = props.canary.name;
    this.hostName = props.serviceName;
    this.hostNamespace = props.namespace;
    this.port = props.port;
    this.protocol = protocol;

    // A release is TrafficRoutes with two versions: matched requests to the canary, the rest split by the step.
    // (literals of one shape, not spreads: see private/objects.ts)
    const routes: RouteIntent[] = [
      ...(matches.length > 0 ? [{
        source: this, retries, timeout: props.timeout, name: 'canary-match', matches, backends: [{ version: props.canary.name, weight: 100 }],
      }] : []),
      {
        source: this,
        retries,
        timeout: props.timeout,
        name: 'canary-split',
        matches: [],
        backends: [
          { version: props.stable.name, weight: 100 - this.canaryWeight },
          { version: props.canary.name, weight: this.canaryWeight },
        ],
        mirror: props.mirrorPercent !== undefined ? { version: props.canary.name, percent: props.mirrorPercent } : undefined,
      },
    ];
    const spec = { mesh: props.mesh, serviceName: props.serviceName, namespace: props.namespace, port: props.port, targetPort, protocol };
    // A controller (Flagger, Argo Rollouts) owns the workloads it copies and the routing it moves.
    const driven = delivery!.engine !== 'steps' ? declareDeliveryRelease(this, {
      ...spec, stable: stableIntent!, canary: canaryIntent!, steps: props.steps ?? [10, 25, 50, 100], mirrorPercent: props.mirrorPercent,
    }, delivery!, routes) : undefined;
    const built = driven ?? declareTrafficRoutes(this, {
      ...spec, versions: [{ intent: stableIntent!, workloadId: 'Stable' }, { intent: canaryIntent!, workloadId: 'Canary' }],
    }, routes);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    this.ignoreDifferences = (driven?.renderer.ignoreDifferences ?? []).map(f => ({ ...f, namespace: f.namespace ?? namespace }));
    this.service = built.service;
    this.identity = built.identity;
    this.workloadSelector = built.workloadSelector;
    this.routing = built.host.routing;
    this.stableWorkload = built.workloads.get(props.stable.name);
    this.canaryWorkload = built.workloads.get(props.canary.name);
    this.rolloutPlan = driven ? undefined : RolloutPlan._attach({
      host: built.host,
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

/**
 * Validates the steps and the current step (each reported, also when the other is wrong) and
 * returns the canary weight at `current`.
 */
function stepWeight(scope: IConstruct, steps: number[], current: number, problems: Problems): number | undefined {
  const rule = 'strictly increasing integers in 0..100 ending at 100, e.g. [5, 25, 50, 100] (0: a dark launch, the canary deployed but sent no requests)';
  const stepsOk = problems.run(() => {
    if (steps.length === 0) invalid(scope, 'steps', steps, rule);
    steps.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s > 100 || (i > 0 && s <= steps[i - 1])) invalid(scope, 'steps', steps, rule);
    });
    if (steps[steps.length - 1] !== 100) invalid(scope, 'steps', steps, rule);
    return true;
  }) ?? false;
  if (!Number.isInteger(current) || current < 0 || (stepsOk && current >= steps.length)) {
    problems.run(() => invalid(scope, 'currentStep', current, stepsOk ? `an index into steps (0..${steps.length - 1})` : 'an index into steps (an integer from 0)'));
    return undefined;
  }
  return stepsOk ? steps[current] : undefined;
}
