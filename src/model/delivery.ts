import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AnalysisIntent, AutoscalingIntent, DeliveryOptionsIntent } from './delivery-intent';
import { invalid } from '../private/errors';
import { checkProps, duration, number, object, optional, required, string } from '../private/validation';

/**
 * What moves a release from step to step.
 */
export enum DeliveryEngine {
  /** the current step is in Git; a pull request moves it */
  STEPS = 'steps',
  /** Flagger's `Canary` (flagger.app/v1beta1) */
  FLAGGER = 'flagger',
  /** an Argo Rollouts `Rollout` (argoproj.io/v1alpha1) */
  ARGO_ROLLOUTS = 'argo-rollouts',
}

/**
 * The checks that gate each step of a release, the same for every engine: every `interval` the
 * canary's request success rate and P99 request duration are measured, and after `threshold`
 * failed checks the release is rolled back.
 */
export interface DeliveryAnalysis {
  /**
   * How often the metrics are checked; each step lasts one interval. A whole number of seconds.
   * @default Duration.minutes(1)
   * @see https://docs.flagger.app/usage/how-it-works#canary-analysis
   */
  readonly interval?: Duration;

  /**
   * Failed checks before the release is rolled back, an integer in 1..100.
   * @default 5
   */
  readonly threshold?: number;

  /**
   * The minimum share of requests to the canary that succeed (not 5xx), in percent, over (0, 100].
   * @default 99
   */
  readonly successRate?: number;

  /**
   * The maximum P99 duration of the canary's requests, in whole milliseconds.
   * @default Duration.millis(500)
   */
  readonly maxRequestDuration?: Duration;

  /**
   * How many intervals the canary is analysed on the requests `canaryMatches` sends it (header
   * A/B), or on mirrored requests before it takes all traffic (blue/green), before promotion. An
   * integer in 1..1000; only for a release whose steps are `[0, 100]`.
   * @default - the steps' weights are analysed one interval each
   */
  readonly iterations?: number;
}

/**
 * Replicas owned by a HorizontalPodAutoscaler (autoscaling/v2) instead of Git: the workload is
 * emitted without `replicas`, so neither the autoscaler nor the controller fights Git over them.
 */
export interface DeliveryAutoscaling {
  /** The least number of pods, an integer of at least 1. */
  readonly minReplicas: number;

  /** The most number of pods, at least `minReplicas`. */
  readonly maxReplicas: number;

  /**
   * The target average CPU utilization of the pods, in percent of their request (1..1000).
   * @default 80
   */
  readonly cpuUtilization?: number;
}

/**
 * An Argo CD `ignoreDifferences` entry (Application `spec.ignoreDifferences`): a field a
 * delivery controller writes in an object this library emits, which Argo CD must not report or
 * revert. `CanaryRelease.ignoreDifferences` lists them.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/
 */
export interface IgnoreDifference {
  /** The API group of the object (`""` for the core group). */
  readonly group: string;
  /** The kind of the object. */
  readonly kind: string;
  /** The name of the object. */
  readonly name: string;
  /**
   * The namespace of the object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * JSON pointers (RFC 6901) of the fields the controller writes.
   * @default - none
   */
  readonly jsonPointers?: string[];
  /**
   * jq path expressions of the fields the controller writes, where a pointer cannot name them.
   * @default - none
   */
  readonly jqPathExpressions?: string[];
}

// --- Static steps --------------------------------------------------------------------------

/**
 * Options for `Delivery.steps()`.
 */
export interface StepsDeliveryOptions {}

// --- Flagger -------------------------------------------------------------------------------

/**
 * Options for `Delivery.flagger()`.
 */
export interface FlaggerDeliveryOptions {
  /**
   * The checks that gate each step. Flagger advances one step per interval while they pass.
   * @default - success rate ≥ 99 % and P99 ≤ 500 ms every minute; 5 failed checks roll back
   */
  readonly analysis?: DeliveryAnalysis;

  /**
   * Replicas owned by an autoscaler (the Canary's `autoscalerRef`; Flagger copies it for the
   * primary). Flagger scales the Deployment it analyses down to 0 after each promotion, so
   * `replicas` is never emitted: without this, a HorizontalPodAutoscaler pinned to the canary's
   * `replicas` (min = max) is, as Flagger's maintainers recommend.
   * @default - an autoscaler pinned to the canary version's replicas
   * @see https://github.com/fluxcd/flagger/issues/1121
   */
  readonly autoscaling?: DeliveryAutoscaling;

  /**
   * How long Flagger waits for the canary to become ready before rolling back.
   * @default - Flagger's default (10 minutes)
   */
  readonly progressDeadline?: Duration;

  /**
   * The Prometheus that holds the mesh's metrics, for the MetricTemplates a Gateway API provider
   * needs (Flagger's built-in checks read the mesh's metrics only with `provider: istio` or
   * `linkerd`).
   * @default - Istio: "http://prometheus.istio-system:9090", Linkerd: "http://prometheus.linkerd-viz:9090"
   */
  readonly prometheusAddress?: string;
}

// --- Argo Rollouts -------------------------------------------------------------------------

/**
 * Options for `Delivery.argoRollouts()`.
 */
export interface ArgoRolloutsDeliveryOptions {
  /**
   * The checks that gate the steps: an AnalysisTemplate with the mesh's Prometheus queries, run
   * in the background from the first step that sends the canary requests.
   * @default - no analysis: each step waits `pause`
   */
  readonly analysis?: DeliveryAnalysis;

  /**
   * How long each step lasts.
   * @default - one analysis interval with `analysis`; without, until promoted (`kubectl argo rollouts promote`)
   */
  readonly pause?: Duration;

  /**
   * Replicas owned by an autoscaler targeting the Rollout: the Rollout is emitted without
   * `replicas`.
   * @default - the canary version's replicas, in the Rollout
   */
  readonly autoscaling?: DeliveryAutoscaling;

  /**
   * The Prometheus the AnalysisTemplate queries.
   * @default - Istio: "http://prometheus.istio-system:9090", Linkerd: "http://prometheus.linkerd-viz:9090"
   */
  readonly prometheusAddress?: string;
}

/**
 * How a `CanaryRelease` moves through its steps: static steps in Git (the default), Flagger or
 * Argo Rollouts. The same steps and the same analysis serve all three.
 */
export class Delivery {
  /**
   * The current step is rendered as plain routing (`currentStep`); a pull request moves it.
   */
  public static steps(options: StepsDeliveryOptions = {}): Delivery {
    return new Delivery(DeliveryEngine.STEPS, { ...options });
  }

  /**
   * Flagger drives the release: a `Canary` (flagger.app/v1beta1) replaces the host's routing
   * objects, one Deployment holds the version rolled out, and Flagger's own primary serves the
   * stable version.
   * @see https://docs.flagger.app/
   */
  public static flagger(options: FlaggerDeliveryOptions = {}): Delivery {
    return new Delivery(DeliveryEngine.FLAGGER, { ...options });
  }

  /**
   * Argo Rollouts drives the release: a `Rollout` (argoproj.io/v1alpha1) replaces the canary's
   * Deployment and moves the weights of the host's routing objects.
   * @see https://argoproj.github.io/argo-rollouts/
   */
  public static argoRollouts(options: ArgoRolloutsDeliveryOptions = {}): Delivery {
    return new Delivery(DeliveryEngine.ARGO_ROLLOUTS, { ...options });
  }

  /** The engine. */
  public readonly engine: DeliveryEngine;

  private constructor(engine: DeliveryEngine, private readonly options: Record<string, unknown>) {
    this.engine = engine;
  }

  /** @internal the engine and its options, validated; `prop` names the delivery in errors */
  public _toIntent(scope: IConstruct, prop: string): DeliveryOptionsIntent {
    const o = this.options as FlaggerDeliveryOptions & ArgoRolloutsDeliveryOptions;
    switch (this.engine) {
      case DeliveryEngine.STEPS:
        return { engine: 'steps' };
      case DeliveryEngine.FLAGGER:
        checkProps(scope, o, {
          analysis: optional(ANALYSIS), autoscaling: optional(AUTOSCALING), progressDeadline: optional(duration()), prometheusAddress: optional(URL),
        }, `${prop}.`);
        return {
          engine: 'flagger',
          analysis: analysisIntent(scope, `${prop}.analysis`, o.analysis ?? {}),
          autoscaling: o.autoscaling ? autoscalingIntent(scope, `${prop}.autoscaling`, o.autoscaling) : undefined,
          progressDeadline: o.progressDeadline ? wholeSeconds(scope, `${prop}.progressDeadline`, o.progressDeadline) : undefined,
          prometheusAddress: o.prometheusAddress,
        };
      default:
        checkProps(scope, o, {
          analysis: optional(ANALYSIS), pause: optional(duration()), autoscaling: optional(AUTOSCALING), prometheusAddress: optional(URL),
        }, `${prop}.`);
        return {
          engine: 'argo-rollouts',
          analysis: o.analysis ? analysisIntent(scope, `${prop}.analysis`, o.analysis) : undefined,
          pause: o.pause ? wholeSeconds(scope, `${prop}.pause`, o.pause) : undefined,
          autoscaling: o.autoscaling ? autoscalingIntent(scope, `${prop}.autoscaling`, o.autoscaling) : undefined,
          prometheusAddress: o.prometheusAddress,
        };
    }
  }
}

const ANALYSIS = object({
  interval: optional(duration()),
  threshold: optional(number(1, 100)),
  successRate: optional(number(0, 100, { fractional: true, rule: 'a percentage over (0, 100], e.g. 99 or 99.9' })),
  maxRequestDuration: optional(duration()),
  iterations: optional(number(1, 1000)),
});

const AUTOSCALING = object({
  minReplicas: required(number(1, 2147483647, { rule: 'an integer of at least 1' })),
  maxReplicas: required(number(1, 2147483647, { rule: 'an integer of at least 1' })),
  cpuUtilization: optional(number(1, 1000)),
});

const URL = string({ max: 2048, pattern: /^https?:\/\/[^\s/]+(\/[^\s]*)?$/, rule: 'an http(s) URL, e.g. "http://prometheus.istio-system:9090"' });

function wholeSeconds(scope: IConstruct, prop: string, d: Duration): Duration {
  const ms = d.toMilliseconds();
  if (ms < 1000 || ms % 1000 !== 0) invalid(scope, prop, d.toHumanString(), 'a whole number of seconds, at least 1s (Flagger and Argo Rollouts take seconds or minutes)');
  return d;
}

function analysisIntent(scope: IConstruct, prop: string, a: DeliveryAnalysis): AnalysisIntent {
  const interval = wholeSeconds(scope, `${prop}.interval`, a.interval ?? Duration.minutes(1));
  if (a.successRate !== undefined && a.successRate <= 0) invalid(scope, `${prop}.successRate`, a.successRate, 'a percentage over (0, 100], e.g. 99 or 99.9');
  const maxRequestDuration = a.maxRequestDuration ?? Duration.millis(500);
  const ms = maxRequestDuration.toMilliseconds();
  if (ms < 1 || !Number.isInteger(ms)) invalid(scope, `${prop}.maxRequestDuration`, maxRequestDuration.toHumanString(), 'a whole number of milliseconds, at least 1ms');
  return {
    interval,
    threshold: a.threshold ?? 5,
    successRate: a.successRate ?? 99,
    maxRequestDuration,
    iterations: a.iterations,
  };
}

function autoscalingIntent(scope: IConstruct, prop: string, a: DeliveryAutoscaling): AutoscalingIntent {
  if (a.maxReplicas < a.minReplicas) invalid(scope, `${prop}.maxReplicas`, a.maxReplicas, `at least minReplicas (${a.minReplicas})`);
  return { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, cpuUtilization: a.cpuUtilization ?? 80 };
}
