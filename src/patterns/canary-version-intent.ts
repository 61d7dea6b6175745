/** Internal: what a CanaryVersion hands CanaryRelease. Not exported from the package. */
import type { CanaryDeploymentOptions } from './canary-version';
import type { VersionTrafficPolicyIntent } from '../model/intents';

/**
 * One side of a canary release (`CanaryVersion`): a version the release deploys, or existing
 * pods it routes to, selected by `labels`.
 */
export type CanaryVersionIntent = (
  | { readonly kind: 'deploy'; readonly name: string; readonly deploy: Omit<CanaryDeploymentOptions, 'name'> }
  | { readonly kind: 'existing'; readonly name: string; readonly labels: Record<string, string> }
) & {
  /** how clients treat this version's endpoints, over the host's policy (`withTrafficPolicy`) */
  readonly trafficPolicy?: VersionTrafficPolicyIntent;
};

