import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Objects the library takes from the app: a cdk8s-plus resource of any line (plus-28, plus-33,
 * ...), a generated `KubeXxx`, or an `ApiObject` from `Include`. They are read through the core
 * `ApiObject` (every line's resources keep theirs under the id `Resource`) and the properties
 * every line has, never through one line's classes, which TypeScript treats as distinct types.
 */
export function apiObjectOf(what: string, construct: IConstruct, kinds: string[]): ApiObject {
  let obj: ApiObject;
  try {
    obj = ApiObject.of(construct);
  } catch {
    throw new Error(`${what}: ${construct.node.path} is not a Kubernetes object (a cdk8s-plus resource, a KubeXxx or an ApiObject from Include)`);
  }
  if (!kinds.includes(obj.kind)) {
    throw new Error(`${what}: ${construct.node.path} is a ${obj.kind}; expected ${kinds.join(' or ')}`);
  }
  return obj;
}

/** Kinds whose `spec.selector` selects the pods they manage. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/**
 * The pod selector labels of a workload, as they are now. cdk8s-plus workloads of every line
 * expose `matchLabels`; other objects are read from their manifest.
 */
export function selectorLabels(what: string, workload: IConstruct): Record<string, string> {
  const obj = apiObjectOf(what, workload, WORKLOAD_KINDS);
  const plus = (workload as { matchLabels?: unknown }).matchLabels;
  const selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } = isStringMap(plus)
    ? { matchLabels: plus, matchExpressions: (workload as { matchExpressions?: unknown[] }).matchExpressions }
    : obj.toJson().spec?.selector ?? {};
  if ((selector.matchExpressions ?? []).length > 0) {
    throw new Error(`${what}: ${workload.node.path} selects its pods with matchExpressions; name the labels its pods carry with fromLabels()`);
  }
  const labels = { ...selector.matchLabels ?? {} };
  if (Object.keys(labels).length === 0) {
    throw new Error(`${what}: ${workload.node.path} has no spec.selector.matchLabels; name the labels its pods carry with fromLabels()`);
  }
  return labels;
}

/** A Service's name, namespace and port numbers (in declaration order). */
export function serviceRef(what: string, service: IConstruct): { name: string; namespace?: string; ports: number[] } {
  const obj = apiObjectOf(what, service, ['Service']);
  const plus = (service as { ports?: unknown }).ports;
  const ports: Array<{ port?: unknown }> = Array.isArray(plus) ? plus : obj.toJson().spec?.ports ?? [];
  return {
    name: obj.name,
    namespace: obj.metadata.namespace,
    ports: ports.map(p => p.port).filter((p): p is number => typeof p === 'number'),
  };
}

function isStringMap(x: unknown): x is Record<string, string> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every(v => typeof v === 'string');
}
