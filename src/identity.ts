import { IConstruct } from 'constructs';
import { isDns1123Label, isDns1123Subdomain } from './private/errors';
import { anything, arrayOf, checkProps, dns1123Label, dns1123Subdomain, labelMap, mapOf, optional, required, string } from './private/validation';
import { apiObjectOf, selectorLabels, WORKLOAD_KINDS } from './private/workload';

/**
 * A workload's identity in the mesh: its Kubernetes ServiceAccount. Istio turns it into the
 * SPIFFE principal `<trustDomain>/ns/<namespace>/sa/<name>`, Linkerd into a ServiceAccount
 * reference of a MeshTLSAuthentication. `MeshWorkload.identity` and `CanaryRelease.identity`
 * give the identity of what the library deploys.
 */
export class MeshIdentity {
  /**
   * The ServiceAccount `name` in `namespace`, e.g. one that another chart or tool creates.
   */
  public static serviceAccount(name: string, namespace: string): MeshIdentity {
    checkProps('MeshIdentity.serviceAccount', { name, namespace }, { name: required(dns1123Subdomain), namespace: required(dns1123Label) });
    if (!isDns1123Subdomain(name)) {
      throw new Error(`MeshIdentity.serviceAccount: 'name' (${JSON.stringify(name)}) must be a DNS-1123 subdomain, e.g. "productpage"`);
    }
    if (!isDns1123Label(namespace)) {
      throw new Error(`MeshIdentity.serviceAccount: 'namespace' (${JSON.stringify(namespace)}) must be a DNS-1123 label, e.g. "default"`);
    }
    return new MeshIdentity(name, namespace);
  }

  /** @internal an identity whose namespace may be the chart's (unknown until a policy uses it) */
  public static _of(name: string, namespace?: string): MeshIdentity {
    return new MeshIdentity(name, namespace);
  }

  /** The ServiceAccount's name. */
  public readonly serviceAccountName: string;

  /**
   * The ServiceAccount's namespace; undefined when it is the namespace of the chart that
   * deploys it and that chart has none (then a policy that names the identity must say it).
   */
  public readonly namespace?: string;

  private constructor(serviceAccountName: string, namespace?: string) {
    this.serviceAccountName = serviceAccountName;
    this.namespace = namespace;
  }
}

// The checks of WorkloadSelector.labels, built once (it runs for every workload of a program).
const LABELS_TYPE = { labels: required(mapOf(string(), string())) };
const OPTIONS_TYPE = { namespace: optional(string()), ports: optional(arrayOf(anything)) };
const LABELS_SYNTAX = { labels: labelMap() };

/**
 * Options for `WorkloadSelector.labels()`.
 */
export interface WorkloadSelectorOptions {
  /**
   * The namespace of the pods.
   * @default - the namespace of the chart of the construct that uses the selector
   */
  readonly namespace?: string;

  /**
   * The container ports the pods serve. Linkerd sets per-workload policy through one `Server`
   * per port, so it needs them; Istio selects pods by labels only.
   * @default - none
   * @see https://linkerd.io/2/reference/authorization-policy/#server
   */
  readonly ports?: number[];
}

/**
 * The pods of one workload: pod labels, namespace and served ports. `MeshWorkload.workloadSelector`
 * and `CanaryRelease.workloadSelector` select what the library deploys.
 */
export class WorkloadSelector {
  /**
   * Pods that carry all of `labels` (e.g. `{ app: 'reviews' }`).
   */
  public static labels(labels: { [name: string]: string }, options: WorkloadSelectorOptions = {}): WorkloadSelector {
    checkProps('WorkloadSelector.labels', { labels }, LABELS_TYPE);
    checkProps('WorkloadSelector.labels', options ?? {}, OPTIONS_TYPE);
    options = options ?? {};
    if (Object.keys(labels).length === 0) {
      throw new Error('WorkloadSelector.labels: \'labels\' ({}) must hold at least one label; to select a whole namespace, leave the workload out');
    }
    for (const [k, v] of Object.entries(labels)) {
      if (k === '' || k.includes('*') || v.includes('*') || v.length > 63) {
        throw new Error(`WorkloadSelector.labels: 'labels' (${JSON.stringify(labels)}) must be label keys and values without wildcards, values at most 63 characters`);
      }
    }
    if (options.namespace != null && !isDns1123Label(options.namespace)) {
      throw new Error(`WorkloadSelector.labels: 'namespace' (${JSON.stringify(options.namespace)}) must be a DNS-1123 label`);
    }
    const ports = [...new Set(options.ports ?? [])].sort((a, b) => a - b);
    for (const p of ports) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        throw new Error(`WorkloadSelector.labels: 'ports' (${JSON.stringify(options.ports)}) must be integers in 1..65535`);
      }
    }
    checkProps('WorkloadSelector.labels', { labels }, LABELS_SYNTAX);
    return new WorkloadSelector({ ...labels }, options.namespace ?? undefined, ports);
  }

  /**
   * @internal the pods of a workload the library deploys: `labels` and `port` are its own,
   * already checked (a Service name and a version name as label values, a port number)
   */
  public static _deployed(labels: { [name: string]: string }, namespace: string | undefined, port: number, service: string): WorkloadSelector {
    if (namespace != null && !isDns1123Label(namespace)) {
      throw new Error(`WorkloadSelector.labels: 'namespace' (${JSON.stringify(namespace)}) must be a DNS-1123 label`);
    }
    return new WorkloadSelector({ ...labels }, namespace, [port], service);
  }

  /**
   * The pods of a workload of this app: a Deployment, StatefulSet, DaemonSet or ReplicaSet of
   * any cdk8s-plus line, a `KubeDeployment`, or one read with `Include`. Its selector labels
   * select the pods; the namespace and ports are the workload's own (its containers' ports)
   * unless `options` names them.
   */
  public static fromWorkload(workload: IConstruct, options: WorkloadSelectorOptions = {}): WorkloadSelector {
    const labels = selectorLabels('WorkloadSelector.fromWorkload', workload);
    const obj = apiObjectOf('WorkloadSelector.fromWorkload', workload, WORKLOAD_KINDS);
    const containers: Array<{ ports?: Array<{ containerPort?: number }> }> = options.ports ? [] : obj.toJson().spec?.template?.spec?.containers ?? [];
    return WorkloadSelector.labels(labels, {
      namespace: options.namespace ?? obj.metadata.namespace,
      ports: options.ports ?? containers.flatMap(c => (c.ports ?? []).map(p => p.containerPort)).filter((p): p is number => p !== undefined),
    });
  }

  /** The pod labels, all of which a pod carries. */
  public readonly podLabels: { [name: string]: string };
  /** The pods' namespace; undefined: the chart's. */
  public readonly namespace?: string;
  /** The container ports the pods serve, ascending. */
  public readonly ports: number[];
  /**
   * @internal the Service whose endpoints these pods are, when the library deploys both (a
   * CanaryRelease, a MeshWorkload): a provider may bind a policy to it (an Istio ambient waypoint)
   */
  public readonly _service?: string;

  private constructor(labels: { [name: string]: string }, namespace: string | undefined, ports: number[], service?: string) {
    this.podLabels = labels;
    this.namespace = namespace;
    this.ports = ports;
    this._service = service;
  }

  /** @internal the same pods, known to be the endpoints of Service `service` */
  public _withService(service: string): WorkloadSelector {
    return new WorkloadSelector(this.podLabels, this.namespace, this.ports, service);
  }
}
