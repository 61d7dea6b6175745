/**
 * The provider-neutral intents of a progressive delivery (`Delivery`): which controller drives a
 * release, with what analysis, and what it needs from the release. Internal, not exported: the
 * engines in src/providers/flagger/ and src/providers/argo-rollouts/ read these.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MatchIntent } from './intents';

/** The checks that gate each step, shared by every engine. */
export interface AnalysisIntent {
  /** how often the metrics are checked; each step lasts one interval */
  readonly interval: Duration;
  /** failed checks before the release is rolled back */
  readonly threshold: number;
  /** the minimum share of non-5xx responses, in percent; undefined: not checked */
  readonly successRate?: number;
  /** the maximum P99 request duration; undefined: not checked */
  readonly maxRequestDuration?: Duration;
  /** header A/B and blue/green: how many intervals the matched (or mirrored) traffic is analysed */
  readonly iterations?: number;
}

/** Replicas owned by a HorizontalPodAutoscaler rather than by Git. */
export interface AutoscalingIntent {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** the target average CPU utilization in percent */
  readonly cpuUtilization: number;
}

/** The engine a delivery chose and its options, validated. */
export type DeliveryOptionsIntent =
  | { readonly engine: 'steps' }
  | {
    readonly engine: 'flagger';
    readonly analysis: AnalysisIntent;
    readonly autoscaling?: AutoscalingIntent;
    readonly progressDeadline?: Duration;
    readonly prometheusAddress?: string;
  }
  | {
    readonly engine: 'argo-rollouts';
    readonly analysis?: AnalysisIntent;
    /** how long each step lasts without analysis; undefined: until promoted by hand */
    readonly pause?: Duration;
    readonly autoscaling?: AutoscalingIntent;
    readonly prometheusAddress?: string;
  };

/** The pod template of the version being rolled out, as Kubernetes JSON, known at synthesis. */
export interface DeliveryWorkloadIntent {
  /** `spec.template` of the canary's Deployment */
  readonly template: unknown;
  /** the pod labels every version of the service shares (the controller's selector) */
  readonly selector: Record<string, string>;
  /** the canary's replicas, when Git owns them */
  readonly replicas?: number;
}

/** What an engine needs from the release it drives. */
export interface DeliveryReleaseIntent {
  /** the release, named in errors */
  readonly source: IConstruct;
  readonly serviceName: string;
  readonly namespace?: string;
  readonly port: number;
  readonly targetPort: number;
  /** the version serving today and the version rolled out */
  readonly stable: string;
  readonly canary: string;
  /** the canary's share per step, in percent, ending at 100 */
  readonly steps: number[];
  /** requests that go to the canary whatever the step */
  readonly matches: MatchIntent[];
  /** the share of the stable version's requests copied to the canary */
  readonly mirrorPercent?: number;
  /** the canary's workload; called at synthesis */
  readonly workload: () => DeliveryWorkloadIntent;
}

/** The weights a controller moves through: the steps without a leading 0 and without the final 100 (its promotion). */
export function controllerWeights(steps: number[]): number[] {
  return steps.filter(s => s > 0 && s < 100);
}
