/**
 * The fields of Linkerd's and linkerd-smi's kinds that the renderers emit, written by hand from
 * linkerd.io/v1alpha2 ServiceProfile and split.smi-spec.io TrafficSplit. Correctness is proven by
 * validating against the upstream CRDs.
 */

export interface RequestMatch {
  readonly method?: string;
  readonly pathRegex?: string;
  readonly any?: RequestMatch[];
}

export interface RouteSpec {
  readonly name: string;
  readonly condition: RequestMatch;
  readonly isRetryable?: boolean;
  readonly timeout?: string;
}

export interface RetryBudget {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttl: string;
}

export interface ServiceProfileSpec {
  readonly routes: RouteSpec[];
  readonly retryBudget?: RetryBudget;
}

export interface TrafficSplitBackend {
  readonly service: string;
  /** relative; v1alpha1 takes a quantity or an integer, v1alpha2 a number */
  readonly weight: number;
}

export interface TrafficSplitSpec {
  readonly service: string;
  readonly backends: TrafficSplitBackend[];
}
