import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { CanaryVersionIntent } from './canary-version-intent';
import { TrafficPolicyOptions } from '../model/traffic-policy';
import { checkDns1123Label, invalid } from '../private/errors';
import { extend } from '../private/objects';
import { TRAFFIC_POLICY_PROPS, trafficPolicyIntent } from '../private/traffic-policy';
import { checkProps, dns1123Label, env, image, labelMap, number, optional, Problems, proxyResources, required } from '../private/validation';
import { selectorLabels } from '../private/workload';
import { ProxyResources } from '../proxy';

/**
 * A version that `CanaryRelease` deploys.
 */
export interface CanaryDeploymentOptions {
  /**
   * The version name: the `version` label, the subset name and the suffix of the per-version
   * Service (`<service>-<version>`).
   */
  readonly name: string;

  /** The container image. */
  readonly image: string;

  /**
   * Number of pods.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Environment variables of the container.
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * CPU and memory of the application container.
   * @default - cdk8s-plus defaults
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * CPU and memory of the mesh proxy.
   * @default - production-sized, see `ProxyResources`
   */
  readonly proxy?: ProxyResources;

  /**
   * Directories the container writes to. Each gets its own `emptyDir` volume mounted there, so
   * the root filesystem stays read-only (cdk8s-plus's secure default) and the image still runs:
   * e.g. `['/tmp', '/opt/ol/wlp/output']` for the bookinfo `reviews` image, as Istio's
   * `bookinfo.yaml` mounts them.
   * @default - none: the container can write nowhere
   */
  readonly writableDirectories?: string[];

  /**
   * The readiness probe of the container.
   * @default - cdk8s-plus's default (none)
   */
  readonly readiness?: kplus.Probe;

  /**
   * The liveness probe of the container.
   * @default - none
   */
  readonly liveness?: kplus.Probe;

  /**
   * The startup probe of the container.
   * @default - none
   */
  readonly startup?: kplus.Probe;

  /**
   * The container's security context, over cdk8s-plus's secure defaults (read-only root
   * filesystem, non-root, no privilege escalation): set only what the image needs, e.g.
   * `{ user: 1000 }` for an image whose user is a name the kubelet cannot check.
   * @default - cdk8s-plus's defaults
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
}

// The checks of each kind of version, built once.
const DEPLOY = {
  name: required(dns1123Label),
  image: required(image),
  replicas: optional(number(0, 2147483647, { rule: 'a non-negative integer' })),
  env: optional(env),
  proxy: optional(proxyResources),
};
const EXISTING = { name: required(dns1123Label), labels: required(labelMap({ min: 1 })) };

/**
 * One side of a canary release: a version the release deploys, or an existing workload it
 * routes to without changing it.
 */
export class CanaryVersion {
  /**
   * A version the release creates (Deployment with mesh settings).
   */
  public static deploy(options: CanaryDeploymentOptions): CanaryVersion {
    const { name, ...deploy } = options ?? {} as CanaryDeploymentOptions;
    return new CanaryVersion({ kind: 'deploy', name, deploy: { ...deploy } });
  }

  /**
   * An existing Deployment of this app; its selector labels (`spec.selector.matchLabels`, as
   * they are when this is called) identify the version's pods. Any cdk8s-plus line's Deployment
   * (plus-28, plus-33, ...), a `KubeDeployment` or a Deployment read with `Include` will do, as
   * will a StatefulSet, DaemonSet or ReplicaSet. The workload is not modified: its mesh settings
   * stay the owner's.
   */
  public static fromDeployment(name: string, deployment: IConstruct): CanaryVersion {
    return new CanaryVersion({ kind: 'existing', name, labels: selectorLabels('CanaryVersion.fromDeployment', deployment) });
  }

  /**
   * Existing pods identified by `labels` (managed outside this app).
   */
  public static fromLabels(name: string, labels: { [key: string]: string }): CanaryVersion {
    return new CanaryVersion({ kind: 'existing', name, labels: typeof labels === 'object' && labels !== null && !Array.isArray(labels) ? { ...labels } : labels });
  }

  /** The version name. */
  public readonly name: string;

  private constructor(private readonly intent: CanaryVersionIntent, private readonly trafficPolicy?: TrafficPolicyOptions) {
    this.name = intent.name;
  }

  /**
   * This version with its own traffic policy: how clients treat its endpoints (connection
   * limits, outlier detection, load balancing, locality, HTTP/2 upgrade, TLS). Each setting
   * overrides the host's (`CircuitBreaker`) and the version keeps the host's other settings,
   * field by field: a version that sets `connectionPool.maxConnections` keeps the host's other
   * limits. Istio: the version's DestinationRule subset `trafficPolicy` (with Gateway API routing,
   * the DestinationRule of its per-version Service); Gateway API: `tls` as a BackendTLSPolicy on
   * the per-version Service; Linkerd has no per-version policy (an error).
   * @returns a new CanaryVersion; this one is unchanged
   */
  public withTrafficPolicy(policy: TrafficPolicyOptions): CanaryVersion {
    return new CanaryVersion(this.intent, typeof policy === 'object' && policy !== null && !Array.isArray(policy) ? { ...policy } : policy);
  }

  /** @internal the version, its name and policy validated; `prop` names it in errors */
  public _toIntent(scope: IConstruct, prop: string): CanaryVersionIntent {
    const i = this.intent;
    const problems = new Problems(scope);
    checkProps(scope, i.kind === 'deploy' ? { name: i.name, ...i.deploy } : i, i.kind === 'deploy' ? DEPLOY : EXISTING, `${prop}.`, problems);
    problems.run(() => checkDns1123Label(scope, `${prop}.name`, this.intent.name));
    if (this.trafficPolicy === undefined) {
      problems.throwIfAny();
      return this.intent;
    }
    const p = this.trafficPolicy as unknown as Record<string, unknown> | null;
    if (typeof p === 'object' && p !== null && !Array.isArray(p) && TRAFFIC_POLICY_PROPS.every(k => p[k] == null)) {
      problems.run(() => invalid(scope, `${prop}.trafficPolicy`, p, `at least one of ${TRAFFIC_POLICY_PROPS.join(', ')}`));
    }
    const trafficPolicy = trafficPolicyIntent(scope, `${prop}.trafficPolicy.`, this.trafficPolicy, problems);
    problems.throwIfAny();
    return extend(this.intent, { trafficPolicy });
  }
}
