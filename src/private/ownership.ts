/**
 * One owner for every object: each object the library emits is registered by (group, kind,
 * namespace, name) for the whole app, so two constructs never emit the same object. Applied to
 * one cluster, the second of two such objects silently replaces the first.
 *
 * Within a chart a second claim is settled at once: merged where the meaning is additive, an
 * error otherwise. Across charts (which cdk8s writes to separate files) the claims are compared
 * at synthesis, per cluster (`MeshCluster.assign`), and any repeat is an error: two files that
 * own one object fight in every GitOps tool.
 */
import { ApiObject, ApiObjectProps, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { analyzeAtSynth } from '../analyzer/mesh-analyzer';

/**
 * How a second claim on the same object is settled within a chart:
 * - `metadata`: the object is shared; each owner adds labels and annotations (a Namespace that
 *   the install labels for injection and a migration annotates with its inbound policy);
 * - `identical`: the object is shared if every owner emits exactly the same content (a
 *   namespace's waypoint, needed by several hosts).
 * Unset: the object has one owner, and a second claim is an error.
 */
export type MergeMode = 'metadata' | 'identical';

export interface Claim {
  /** the construct named in errors: the one the user wrote */
  readonly owner: IConstruct;
  /**
   * what the owner's author can change to give way, e.g. "set meshPeerAuthentication: false on the
   * install"; a function when the text needs the owner's path, which is built only for an error
   * (see `rename`)
   */
  readonly resolve?: string | ((owner: IConstruct) => string);
  readonly merge?: MergeMode;
}

/** Two owners of one object: raised at once, never deferred to synthesis. */
export class OwnershipError extends Error {}

interface Entry {
  readonly key: string;
  readonly chart: Chart;
  readonly object?: ApiObject;
  /** the first owner's props, whose content (`contentOf`) a second owner's must match */
  readonly props?: ApiObjectProps;
  /** that content, computed when a second owner first claims the object (most never have one) */
  content?: string;
  /** labels and annotations of a shared object so far, by owner: recorded from the second claim on */
  metadata?: { readonly labels: Map<string, [string, Claim]>; readonly annotations: Map<string, [string, Claim]> };
  /** the first claim: the owner named in errors (later claims merge into the object and are not kept) */
  readonly claim: Claim;
  /** the entry with the same identity in the next chart that claimed it (rare: most identities have one) */
  next?: Entry;
}

interface Registry {
  /** by identity, the first chart's entry; other charts' follow it (`next`) */
  readonly entries: Map<string, Entry>;
  /** bumped by every claim: the cross-chart check is repeated only when something changed */
  generation: number;
  checked?: { readonly generation: number; readonly clusters: number; readonly errors: string[] };
}

/** bumped by every `assignCluster` (which changes what the cross-chart check compares) */
let clusterGeneration = 0;

const REGISTRIES = new WeakMap<IConstruct, Registry>();
const CLUSTERS = new WeakMap<Chart, string>();

/** Kinds without a namespace: a chart's namespace must not be stamped on them. */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  'gateway.networking.k8s.io/GatewayClass',
  'sailoperator.io/Istio',
  'sailoperator.io/IstioRevisionTag',
  'sailoperator.io/IstioCNI',
  'sailoperator.io/ZTunnel',
]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${groupOf(apiVersion)}/${kind}`);
}

/** `<Kind> <namespace>/<name>` (or `<Kind> <name>` when cluster-scoped), as users read it. */
function describe(key: string): string {
  const [group, kind, namespace, name] = partsOf(key);
  const what = group === '' ? kind : `${kind}.${group}`;
  return namespace === '' ? `${what} ${name}` : `${what} ${namespace}/${name}`;
}

/**
 * An identity as a registry key: group, kind, namespace and name joined by NUL, which none of them
 * can hold (Kubernetes names and kinds are printable). A key is kept for every object a program
 * emits: `join` makes one flat string (a template literal would keep a tree of its parts).
 */
function keyOf(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return [groupOf(apiVersion), kind, isClusterScoped(apiVersion, kind) ? '' : namespace ?? '', name].join('\0');
}

/** The group, kind, namespace and name of a key. */
function partsOf(key: string): string[] {
  return key.split('\0');
}

function registry(scope: IConstruct): Registry {
  // the root, found without `node.root` (which builds the list of every scope on each call)
  let root = scope;
  while (root.node.scope) root = root.node.scope;
  let r = REGISTRIES.get(root);
  if (!r) {
    r = { entries: new Map(), generation: 0 };
    REGISTRIES.set(root, r);
    root.node.addValidation({ validate: () => crossChartConflictsOnce(r!) });
  }
  return r;
}

/** Records the cluster a chart is applied to (`MeshCluster.assign`). */
export function assignCluster(chart: Chart, cluster: string): void {
  CLUSTERS.set(chart, cluster);
  clusterGeneration++;
}

/** The cluster a chart is applied to; '' for the app's one cluster. */
export function clusterOf(chart: Chart): string {
  // A chart nested in another (e.g. an install's second stage) goes where its parent goes.
  for (let c: IConstruct | undefined = chart; c; c = c.node.scope) {
    if (c instanceof Chart && CLUSTERS.has(c)) return CLUSTERS.get(c)!;
  }
  return '';
}

/**
 * Creates an object under `scope` and registers it for `claim`, or, where an object of the same
 * chart has that identity and `claim.merge` allows it, merges into that one and returns it.
 * Cluster-scoped kinds never carry a namespace, whatever the chart's.
 */
export function emit(scope: Construct, id: string, props: ApiObjectProps, c: Claim): ApiObject {
  const chart = Chart.of(scope);
  const clusterScoped = isClusterScoped(props.apiVersion, props.kind);
  const namespace = clusterScoped ? undefined : props.metadata?.namespace ?? chart.namespace;
  const key = keyOf(props.apiVersion, props.kind, namespace, props.metadata?.name ?? '');
  const same = inChart(registry(scope), key, chart);
  if (same?.object) {
    mergeInto(same, props, c);
    return same.object;
  }
  const object = new ApiObject(scope, id, props);
  if (clusterScoped && object.metadata.namespace !== undefined) object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  add(scope, key, chart, object, c, props);
  return object;
}

/**
 * The id of the `index`-th object of `kind` that a construct emits from a list (`Namespace-0`),
 * where an id naming the object (`Namespace-payments`) would differ from construct to construct.
 * constructs keeps a construct's children in an object keyed by id, and the first key of each
 * such object adds a transition to the hidden class every `{}` in the process starts from. V8
 * keeps about 1,536 of them; past that, every object built from `{}` with a property name not yet
 * seen (cdk8s and yaml build every serialized object that way) gets a hidden class of its own, and
 * synthesis slows several times (bench/README.md). A first id that repeats costs one transition
 * for every construct of the kind.
 */
export function childId(kind: string, index: number): string {
  return `${kind}-${index}`;
}

/** Registers an object created elsewhere (a cdk8s-plus Deployment or Service). */
export function own(object: ApiObject, c: Claim): void {
  const chart = Chart.of(object);
  const key = keyOf(object.apiVersion, object.kind, object.metadata.namespace, object.name);
  const same = inChart(registry(object), key, chart);
  if (same) throw new OwnershipError(conflict(key, same.claim, c));
  add(object, key, chart, object, c);
}

/**
 * Claims something that is not an object name but must have one owner all the same, e.g. the
 * pod port a Linkerd `Server` selects (the admission webhook refuses a second Server for it).
 * `what` describes it in the error.
 */
export function claim(scope: IConstruct, identity: string, what: string, c: Claim): void {
  const chart = Chart.of(scope);
  const key = ['', what, '', identity].join('\0');
  const same = inChart(registry(scope), key, chart);
  if (same) throw new OwnershipError(conflict(key, same.claim, c, what));
  add(scope, key, chart, undefined, c);
}

function add(scope: IConstruct, key: string, chart: Chart, object: ApiObject | undefined, c: Claim, props?: ApiObjectProps): void {
  // every chart that holds an object of this library is analyzed at synthesis
  analyzeAtSynth(chart);
  const r = registry(scope);
  // A registry entry per object of a large program: kept small (no arrays), since it lives until
  // the process ends (bench/README.md, memory).
  const entry: Entry = { key, chart, object, claim: c, props };
  const first = r.entries.get(key);
  if (!first) {
    r.entries.set(key, entry);
  } else {
    let last = first;
    while (last.next) last = last.next;
    last.next = entry;
  }
  r.generation++;
}

/** The entry of `key` in `chart`, if any. */
function inChart(r: Registry, key: string, chart: Chart): Entry | undefined {
  for (let e = r.entries.get(key); e; e = e.next) if (e.chart === chart) return e;
  return undefined;
}

/**
 * What two owners of a shared object must agree on: everything but labels and annotations for a
 * `metadata` merge, everything for an `identical` one (the namespace aside: the key holds it).
 */
function contentOf(props: ApiObjectProps, mode: MergeMode | undefined): string {
  const { metadata, ...rest } = props;
  return JSON.stringify(normalized(mode === 'identical' ? { ...rest, metadata: { ...metadata, namespace: undefined } } : rest));
}

function normalized(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(normalized);
  if (o === null || typeof o !== 'object') return o;
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, normalized(v)]));
}

function recordMetadata(entry: Entry, props: ApiObjectProps, c: Claim): void {
  for (const field of ['labels', 'annotations'] as const) {
    const given = props.metadata?.[field] ?? {};
    for (const [k, v] of Object.entries(given)) {
      const prior = entry.metadata![field].get(k);
      if (prior && prior[0] !== v) {
        const singular = field.slice(0, -1);
        throw new OwnershipError(`${c.owner.node.path}: sets ${singular} '${k}' of ${describe(entry.key)} to ${JSON.stringify(v)}, but `
          + `${prior[1].owner.node.path} sets it to ${JSON.stringify(prior[0])}; the object is shared, so set the ${singular} in one place`);
      }
      entry.metadata![field].set(k, [v, c]);
    }
  }
}

function mergeInto(entry: Entry, props: ApiObjectProps, c: Claim): void {
  const first = entry.claim;
  if (c.merge === undefined || c.merge !== first.merge) throw new OwnershipError(conflict(entry.key, first, c));
  const how = c.merge === 'identical' ? 'with different content' : 'with a different spec';
  if (entry.content === undefined && entry.props) entry.content = contentOf(entry.props, first.merge);
  if (contentOf(props, c.merge) !== entry.content) throw new OwnershipError(conflict(entry.key, first, c, undefined, how));
  if (c.merge === 'metadata') {
    if (!entry.metadata) {
      // the first owner's labels and annotations, which a second owner may not contradict
      entry.metadata = { labels: new Map(), annotations: new Map() };
      if (entry.props) recordMetadata(entry, entry.props, first);
    }
    recordMetadata(entry, props, c);
    for (const [k, v] of Object.entries(props.metadata?.labels ?? {})) entry.object!.metadata.addLabel(k, v);
    for (const [k, v] of Object.entries(props.metadata?.annotations ?? {})) entry.object!.metadata.addAnnotation(k, v);
  }
}

/** The usual fix for a claim whose owner names the object: "give <owner's path> another <what>". */
export function rename(what = 'name'): (owner: IConstruct) => string {
  return owner => `give ${owner.node.path} another ${what}`;
}

/** The fixes two claims offer, in their order. */
function fixesOf(...claims: Claim[]): string[] {
  return claims.flatMap(c => c.resolve === undefined ? [] : [typeof c.resolve === 'function' ? c.resolve(c.owner) : c.resolve]);
}

function conflict(key: string, first: Claim, second: Claim, what?: string, how?: string): string {
  const object = what ? `${what} ${partsOf(key)[3]}` : describe(key);
  const fixes = fixesOf(first, second);
  const fix = fixes.length > 0 ? fixes.join(', or ') : 'give one of them another name';
  return `${second.owner.node.path}: emits ${object}${how ? ` ${how}` : ''}, which ${first.owner.node.path} emits too; `
    + `applied to one cluster, one would silently replace the other: ${fix}`;
}

/**
 * The cross-chart check, repeated only when a claim or a cluster was added since: cdk8s validates
 * the whole app again for every chart it writes, and an app with a chart per namespace has
 * hundreds.
 */
function crossChartConflictsOnce(r: Registry): string[] {
  if (r.checked && r.checked.generation === r.generation && r.checked.clusters === clusterGeneration) return r.checked.errors;
  const errors = crossChartConflicts(r);
  r.checked = { generation: r.generation, clusters: clusterGeneration, errors };
  return errors;
}

function crossChartConflicts(r: Registry): string[] {
  const errors: string[] = [];
  for (const [key, first] of r.entries) {
    if (!first.next) continue;
    const entries: Entry[] = [];
    for (let e: Entry | undefined = first; e; e = e.next) entries.push(e);
    const byCluster = new Map<string, Entry[]>();
    for (const e of entries) byCluster.set(clusterOf(e.chart), [...(byCluster.get(clusterOf(e.chart)) ?? []), e]);
    for (const same of byCluster.values()) {
      for (let i = 1; i < same.length; i++) {
        const [a, b] = [same[0], same[i]];
        const [, what, , identity] = partsOf(key);
        const object = a.object ? describe(key) : `${what} ${identity}`;
        const fixes = fixesOf(a.claim, b.claim);
        errors.push(`${b.claim.owner.node.path}: emits ${object}, which ${a.claim.owner.node.path} emits too, in another chart `
          + `('${b.chart.node.path}' and '${a.chart.node.path}'); applied to one cluster, one would silently replace the other: `
          + `${fixes.length > 0 ? fixes.join(', or ') : 'declare both in one chart'}, or, if the charts go to different clusters, `
          + 'say so with MeshCluster.assign(chart, clusterName)');
      }
    }
  }
  return errors;
}
