/**
 * The mesh analyzer's rules: checks that need a whole program (a chart, or a directory of
 * synthesized YAML), not one object. The offline part of what `istioctl analyze` and Kiali
 * validations check, over plain Kubernetes objects whoever wrote them (renderers, `Include`, hand-written
 * ApiObjects, other tools). Rules carry the upstream code where one exists (IST..., KIA...);
 * the catalogue is docs/analyzer.md. Pure functions: used at synth (MeshAnalyzer) and by the
 * cdk8s validation plugin.
 */
import type { MeshTarget } from '../model/renderer';
import { GatewayApiBundle, GatewayApiFeature, gatewayApiLacks, GatewayApiProfile, gatewayApiProfile } from '../providers/gateway-api/profile';

/** How bad a finding is: an error fails synthesis, a warning is recorded. */
export type FindingLevel = 'error' | 'warning';

/** One finding of one rule on one object. */
export interface Finding {
  /** the rule's id, e.g. `IST0101` */
  readonly rule: string;
  readonly level: FindingLevel;
  /** `<kind> <namespace>/<name>` of the object it is about */
  readonly object: string;
  readonly message: string;
  /** what to do about it */
  readonly fix: string;
}

/** A Kubernetes object as synthesized (plain JSON). */
export interface K8sObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: any;
  readonly [key: string]: any;
}

/** One rule of the catalogue. */
export interface Rule {
  readonly id: string;
  /** the upstream name, e.g. ReferencedResourceNotFound */
  readonly name: string;
  readonly level: FindingLevel;
  readonly check: (index: Index) => Finding[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout', 'Job']);

/** A workload's pod template: its object, namespace and pod labels. */
export interface WorkloadRef {
  readonly object: K8sObject;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * The objects of a program, indexed for the rules: by kind, by identity and by namespace, built
 * once, so that every rule is linear in the program (a chart of thousands of services is analyzed
 * at every synthesis).
 */
export class Index {
  public readonly objects: K8sObject[];
  /** the namespace of objects that name none */
  public readonly defaultNamespace: string;
  private readonly byKind = new Map<string, K8sObject[]>();
  private readonly byKindGroup = new Map<string, K8sObject[]>();
  /** by kind and group, then namespace and name: built for a kind when a rule first looks one up */
  private readonly byName = new Map<string, Map<string, K8sObject>>();
  private workloadList?: WorkloadRef[];
  private workloadsByNamespace?: Map<string, WorkloadRef[]>;
  private readonly memo = new Map<string, unknown>();

  constructor(objects: K8sObject[], defaultNamespace = 'default') {
    this.objects = objects.filter(o => o && typeof o === 'object' && o.kind);
    this.defaultNamespace = defaultNamespace;
    for (const o of this.objects) {
      const list = this.byKind.get(o.kind!);
      if (list) list.push(o);
      else this.byKind.set(o.kind!, [o]);
    }
  }

  public ns(o: K8sObject): string {
    return o.metadata?.namespace ?? this.defaultNamespace;
  }

  public of(kind: string, group?: string): K8sObject[] {
    const all = this.byKind.get(kind) ?? [];
    if (group === undefined) return all;
    const key = `${kind}\n${group}`;
    let list = this.byKindGroup.get(key);
    if (!list) {
      list = all.filter(o => groupOf(o) === group);
      this.byKindGroup.set(key, list);
    }
    return list;
  }

  public find(kind: string, namespace: string, name: string, group?: string): K8sObject | undefined {
    if (group === undefined) return this.of(kind).find(o => this.ns(o) === namespace && o.metadata?.name === name);
    const kindKey = `${kind}\n${group}`;
    let byName = this.byName.get(kindKey);
    if (!byName) {
      byName = new Map();
      for (const o of this.of(kind, group)) {
        const key = identity(this.ns(o), o.metadata?.name);
        // the first of two objects with one identity, as a linear search would find it
        if (!byName.has(key)) byName.set(key, o);
      }
      this.byName.set(kindKey, byName);
    }
    return byName.get(identity(namespace, name));
  }

  /** Pod templates with their namespace and labels. */
  public workloads(): WorkloadRef[] {
    if (!this.workloadList) {
      const out: WorkloadRef[] = [];
      for (const o of this.objects) {
        if (WORKLOAD_KINDS.has(o.kind!)) out.push({ object: o, namespace: this.ns(o), labels: o.spec?.template?.metadata?.labels ?? {} });
        else if (o.kind === 'Pod') out.push({ object: o, namespace: this.ns(o), labels: o.metadata?.labels ?? {} });
      }
      this.workloadList = out;
    }
    return this.workloadList;
  }

  /** The workloads of one namespace. */
  public workloadsIn(namespace: string): WorkloadRef[] {
    if (!this.workloadsByNamespace) {
      const map = new Map<string, WorkloadRef[]>();
      for (const w of this.workloads()) {
        const list = map.get(w.namespace);
        if (list) list.push(w);
        else map.set(w.namespace, [w]);
      }
      this.workloadsByNamespace = map;
    }
    return this.workloadsByNamespace.get(namespace) ?? [];
  }

  /** A value derived from the whole index, computed once (e.g. DestinationRules by host). */
  public memoized<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  public describe(o: K8sObject): string {
    return `${o.kind} ${this.ns(o)}/${o.metadata?.name}`;
  }

  /** An Istio host (short, `name.ns`, `name.ns.svc...` FQDN) as namespace/name of a Service, if it is one. */
  public serviceOfHost(host: string, from: string): { namespace: string; name: string } | undefined {
    // most hosts are a Service's short name
    if (host.indexOf('.') < 0) return host.includes('*') ? undefined : { namespace: from, name: host };
    if (host.includes('*')) return undefined;
    const parts = host.split('.');
    if (parts.length === 1) return { namespace: from, name: parts[0] };
    if (parts.length === 2 || parts[2] === 'svc') return { namespace: parts[1], name: parts[0] };
    return undefined;
  }
}

/** A map key that tells apart exactly what `===` does for a name (a string, else its type too). */
function identity(namespace: string, name: unknown): string {
  return `${namespace}\n${typeof name === 'string' ? name : `\n${typeof name}:${String(name)}`}`;
}

export function groupOf(o: K8sObject): string {
  const v = o.apiVersion ?? '';
  return v.includes('/') ? v.split('/')[0] : '';
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function finding(index: Index, rule: { id: string; level: FindingLevel }, o: K8sObject, message: string, fix: string, level?: FindingLevel): Finding {
  return { rule: rule.id, level: level ?? rule.level, object: index.describe(o), message, fix };
}

const ISTIO_NET = 'networking.istio.io';
const ISTIO_SEC = 'security.istio.io';
const GATEWAY = 'gateway.networking.k8s.io';

/** Destinations of a VirtualService's http, tcp and tls routes. */
function destinations(vs: K8sObject): { host: string; subset?: string; port?: number }[] {
  const routes = [...(vs.spec?.http ?? []), ...(vs.spec?.tcp ?? []), ...(vs.spec?.tls ?? [])];
  return routes.flatMap((r: any) => [...(r.route ?? []).map((d: any) => d.destination), ...(r.mirror ? [r.mirror] : [])])
    .filter((d: any) => d && typeof d.host === 'string')
    .map((d: any) => ({ host: d.host, subset: d.subset, port: d.port?.number }));
}

/** DestinationRules whose host is the same Service as `host` seen from `from`. */
function destinationRulesFor(index: Index, host: string, from: string): K8sObject[] {
  // by the Service their host names (namespace/name), else by the host as written
  const byHost = index.memoized('destinationRulesByHost', () => {
    const map = new Map<string, K8sObject[]>();
    for (const dr of index.of('DestinationRule', ISTIO_NET)) {
      const h = dr.spec?.host;
      if (typeof h !== 'string') continue;
      const svc = index.serviceOfHost(h, index.ns(dr));
      for (const key of svc ? [`svc:${svc.namespace}/${svc.name}`, `host:${h}`] : [`host:${h}`]) {
        const list = map.get(key);
        if (list) list.push(dr);
        else map.set(key, [dr]);
      }
    }
    return map;
  });
  const svc = index.serviceOfHost(host, from);
  if (svc === undefined) {
    // a host that is no Service's: the rules that name it exactly, as written
    return (byHost.get(`host:${host}`) ?? []).filter(dr => dr.spec.host === host);
  }
  return byHost.get(`svc:${svc.namespace}/${svc.name}`) ?? [];
}

const isMeshVirtualService = (vs: K8sObject) => {
  const gateways: string[] | undefined = vs.spec?.gateways;
  return gateways === undefined || gateways.length === 0 || gateways.includes('mesh');
};

/** KIA1107: a VirtualService routes to a subset its host's DestinationRule does not define. */
const subsetNotFound: Rule = {
  id: 'KIA1107',
  name: 'SubsetNotFound',
  level: 'error',
  check: index => index.of('VirtualService', ISTIO_NET).flatMap(vs => destinations(vs).filter(d => d.subset !== undefined).flatMap(d => {
    const rules = destinationRulesFor(index, d.host, index.ns(vs));
    const subsets = rules.flatMap(dr => (dr.spec?.subsets ?? []).map((s: any) => s.name));
    if (subsets.includes(d.subset)) return [];
    return [finding(index, subsetNotFound, vs,
      rules.length === 0
        ? `routes to subset '${d.subset}' of host '${d.host}', but no DestinationRule for that host defines subsets`
        : `routes to subset '${d.subset}' of host '${d.host}', which its DestinationRule does not define (it has: ${subsets.join(', ') || 'none'})`,
      `define subset '${d.subset}' in the one DestinationRule of '${d.host}' (Istio drops the route otherwise: 503 NR)`)];
  })),
};

/**
 * Objects that claim a host another object of their kind claimed first (hosts resolved to their
 * Service where the program declares it), each with the host and the first claimant.
 */
function secondClaims(index: Index, objects: K8sObject[],
  hostsOf: (o: K8sObject) => string[]): { object: K8sObject; host: string; first: K8sObject }[] {
  const seen = new Map<string, K8sObject>();
  const out: { object: K8sObject; host: string; first: K8sObject }[] = [];
  for (const object of objects) {
    for (const host of hostsOf(object)) {
      const svc = index.serviceOfHost(host, index.ns(object));
      const key = svc ? `${svc.namespace}/${svc.name}` : host;
      const first = seen.get(key);
      if (first && first !== object) out.push({ object, host, first });
      else seen.set(key, object);
    }
  }
  return out;
}

/** IST0109: several VirtualServices for one mesh host (Istio does not merge them). */
const conflictingMeshHosts: Rule = {
  id: 'IST0109',
  name: 'ConflictingMeshGatewayVirtualServiceHosts',
  level: 'error',
  check: index => secondClaims(index, index.of('VirtualService', ISTIO_NET).filter(isMeshVirtualService), vs => vs.spec?.hosts ?? [])
    .map(c => finding(index, conflictingMeshHosts, c.object,
      `is the second VirtualService for mesh host '${c.host}' (the first is ${index.describe(c.first)}); Istio does not merge them and applies one`,
      'put every route of the host into one VirtualService (one construct per host, or one MeshHost)')),
};

/** KIA0201: more than one DestinationRule for one host: Istio uses one, unpredictably. */
const multipleDestinationRules: Rule = {
  id: 'KIA0201',
  name: 'DestinationRuleMultiMatch',
  level: 'warning',
  check: index => secondClaims(index, index.of('DestinationRule', ISTIO_NET).filter(dr => !dr.spec?.workloadSelector), dr => [dr.spec?.host ?? ''])
    .map(c => finding(index, multipleDestinationRules, c.object,
      `is the second DestinationRule for host '${c.host}' (the first is ${index.describe(c.first)}); only one applies`,
      'merge them into one DestinationRule per host')),
};

/** IST0130: a VirtualService http route after a catch-all (or with the same match as an earlier one) is never used. */
const unreachableRule: Rule = {
  id: 'IST0130',
  name: 'VirtualServiceUnreachableRule',
  level: 'warning',
  check: index => index.of('VirtualService', ISTIO_NET).flatMap(vs => {
    const http: any[] = vs.spec?.http ?? [];
    const out: Finding[] = [];
    const earlier: string[] = [];
    let catchAll: number | undefined;
    http.forEach((r, i) => {
      const label = r.name ? `'${r.name}'` : `#${i}`;
      if (catchAll !== undefined) {
        out.push(finding(index, unreachableRule, vs, `http route ${label} comes after route #${catchAll}, which matches every request: it is never used`,
          'move the catch-all route last, or give it a match'));
        return;
      }
      const match = r.match === undefined || r.match.length === 0 ? undefined : r.match.map((m: any) => JSON.stringify(m, Object.keys(m).sort()));
      if (match === undefined) {
        catchAll = i;
        return;
      }
      const dup = match.filter((m: string) => earlier.includes(m));
      if (dup.length === match.length) {
        out.push(finding(index, unreachableRule, vs, `http route ${label} only repeats matches of earlier routes: it is never used`, 'drop it, or change its match'));
      }
      earlier.push(...match);
    });
    return out;
  }),
};

/** GW0001: HTTPRoute rules with identical matches: Gateway API picks one by precedence, the other is shadowed. */
const shadowedHttpRouteRule: Rule = {
  id: 'GW0001',
  name: 'HTTPRouteShadowedMatch',
  level: 'warning',
  check: index => index.of('HTTPRoute', GATEWAY).flatMap(route => {
    const seen = new Map<string, number>();
    const out: Finding[] = [];
    (route.spec?.rules ?? []).forEach((rule: any, i: number) => {
      const list = rule.matches && rule.matches.length > 0 ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
      for (const m of list) {
        const key = canonicalMatch(m);
        if (seen.has(key)) {
          out.push(finding(index, shadowedHttpRouteRule, route, `rule #${i} repeats a match of rule #${seen.get(key)} (${key}): the earlier rule takes its requests`,
            'drop the duplicate match, or merge the rules'));
        } else {
          seen.set(key, i);
        }
      }
    });
    return out;
  }),
};

function canonicalMatch(m: any): string {
  const path = m.path ?? { type: 'PathPrefix', value: '/' };
  const sorted = (list: any[] | undefined) => (list ?? []).map((h: any) => `${h.type ?? 'Exact'}:${String(h.name).toLowerCase()}=${h.value}`).sort();
  return JSON.stringify({ path: `${path.type ?? 'PathPrefix'}:${path.value ?? '/'}`, method: m.method, headers: sorted(m.headers), query: sorted(m.queryParams) });
}

/** IST0101 / KIA1402: a route's backend Service is not in the program. */
const backendNotFound: Rule = {
  id: 'IST0101',
  name: 'ReferencedResourceNotFound',
  level: 'warning',
  check: index => {
    if (index.of('Service', '').length === 0) return [];
    const out: Finding[] = [];
    for (const route of [...index.of('HTTPRoute', GATEWAY), ...index.of('GRPCRoute', GATEWAY), ...index.of('TLSRoute', GATEWAY)]) {
      for (const rule of route.spec?.rules ?? []) {
        for (const ref of rule.backendRefs ?? []) {
          if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') continue;
          const ns = ref.namespace ?? index.ns(route);
          if (!index.find('Service', ns, ref.name, '')) {
            out.push(finding(index, backendNotFound, route, `sends to Service ${ns}/${ref.name}, which this program does not declare`,
              'create the Service (or check the name and namespace); ignore this if it is deployed by another program'));
          }
        }
      }
    }
    for (const vs of index.of('VirtualService', ISTIO_NET)) {
      for (const d of destinations(vs)) {
        const svc = index.serviceOfHost(d.host, index.ns(vs));
        const namespacesWithServices = index.memoized('namespacesWithServices', () => new Set(index.of('Service', '').map(s => index.ns(s))));
        if (svc && namespacesWithServices.has(svc.namespace) && !index.find('Service', svc.namespace, svc.name, '')) {
          out.push(finding(index, backendNotFound, vs, `routes to host '${d.host}' (Service ${svc.namespace}/${svc.name}), which this program does not declare`,
            'create the Service, or use the host of an existing one (a ServiceEntry for external hosts)'));
        }
      }
    }
    return out;
  },
};

/** KIA1401: a route's parentRef names a Gateway the program does not declare. */
const parentNotFound: Rule = {
  id: 'KIA1401',
  name: 'RouteParentNotFound',
  level: 'warning',
  check: index => {
    if (index.of('Gateway', GATEWAY).length === 0) return [];
    return [...index.of('HTTPRoute', GATEWAY), ...index.of('TLSRoute', GATEWAY), ...index.of('GRPCRoute', GATEWAY)].flatMap(route =>
      (route.spec?.parentRefs ?? []).filter((p: any) => (p.kind ?? 'Gateway') === 'Gateway').flatMap((p: any) => {
        const ns = p.namespace ?? index.ns(route);
        const gw = index.find('Gateway', ns, p.name, GATEWAY);
        if (!gw) {
          return [finding(index, parentNotFound, route, `attaches to Gateway ${ns}/${p.name}, which this program does not declare`, 'check parentRefs, or declare the Gateway')];
        }
        if (p.sectionName !== undefined && !(gw.spec?.listeners ?? []).some((l: any) => l.name === p.sectionName)) {
          return [finding(index, parentNotFound, route, `attaches to listener '${p.sectionName}' of Gateway ${ns}/${p.name}, which has no such listener`,
            'name one of the Gateway\'s listeners in sectionName', 'error')];
        }
        return [];
      }));
  },
};

/** GW0002: a reference across namespaces without the ReferenceGrant that allows it (the reference is refused). */
const missingReferenceGrant: Rule = {
  id: 'GW0002',
  name: 'MissingReferenceGrant',
  level: 'error',
  check: index => {
    const grants = index.of('ReferenceGrant', GATEWAY);
    const allowed = (fromKind: string, fromNs: string, toKind: string, toNs: string, toName: string) => grants.some(g => index.ns(g) === toNs
      && (g.spec?.from ?? []).some((f: any) => f.kind === fromKind && f.namespace === fromNs)
      && (g.spec?.to ?? []).some((t: any) => t.kind === toKind && (t.name === undefined || t.name === toName)));
    const out: Finding[] = [];
    for (const gw of index.of('Gateway', GATEWAY)) {
      for (const l of gw.spec?.listeners ?? []) {
        for (const ref of l.tls?.certificateRefs ?? []) {
          if (ref.namespace !== undefined && ref.namespace !== index.ns(gw) && !allowed('Gateway', index.ns(gw), ref.kind ?? 'Secret', ref.namespace, ref.name)) {
            out.push(finding(index, missingReferenceGrant, gw, `listener '${l.name}' uses Secret ${ref.namespace}/${ref.name} without a ReferenceGrant in ${ref.namespace} from Gateways of ${index.ns(gw)}`,
              `add a ReferenceGrant in namespace ${ref.namespace} (from Gateway/${index.ns(gw)} to Secret)`));
          }
        }
      }
    }
    for (const route of [...index.of('HTTPRoute', GATEWAY), ...index.of('TLSRoute', GATEWAY), ...index.of('GRPCRoute', GATEWAY)]) {
      const isMesh = (route.spec?.parentRefs ?? []).some((p: any) => p.kind === 'Service');
      for (const rule of route.spec?.rules ?? []) {
        for (const ref of rule.backendRefs ?? []) {
          if (isMesh || ref.namespace === undefined || ref.namespace === index.ns(route)) continue;
          if (!allowed(route.kind!, index.ns(route), ref.kind ?? 'Service', ref.namespace, ref.name)) {
            out.push(finding(index, missingReferenceGrant, route, `sends to Service ${ref.namespace}/${ref.name} without a ReferenceGrant in ${ref.namespace} from ${route.kind}s of ${index.ns(route)}`,
              `add a ReferenceGrant in namespace ${ref.namespace} (from ${route.kind}/${index.ns(route)} to Service)`));
          }
        }
      }
    }
    return out;
  },
};

/**
 * IST0161: an Istio Gateway's credentialName is resolved in the gateway workload's namespace
 * (pilot/pkg/model/credentials); a Secret or cert-manager Certificate of that name declared only
 * in other namespaces is not found.
 */
const invalidGatewayCredential: Rule = {
  id: 'IST0161',
  name: 'InvalidGatewayCredential',
  level: 'error',
  check: index => {
    const secrets = [
      ...index.of('Secret', '').map(s => ({ ns: index.ns(s), name: s.metadata?.name })),
      ...index.of('Certificate', 'cert-manager.io').map(c => ({ ns: index.ns(c), name: c.spec?.secretName })),
    ];
    if (secrets.length === 0) return [];
    return index.of('Gateway', ISTIO_NET).flatMap(gw => (gw.spec?.servers ?? []).flatMap((s: any) => {
      const cred: string | undefined = s.tls?.credentialName;
      if (cred === undefined || cred.includes('/') || cred.startsWith('kubernetes-gateway://')) return [];
      // The gateway workload is the Deployment its selector picks. Where the chart does not hold it,
      // its namespace is unknown (Istio's gateway pods usually run in istio-system or istio-ingress,
      // not beside the Gateway object), so nothing can be said.
      const selector: Record<string, string> = gw.spec?.selector ?? {};
      const workload = index.workloads().find(w => Object.keys(selector).length > 0 && matches(selector, w.labels));
      if (!workload) return [];
      const ns = workload.namespace;
      if (secrets.some(x => x.ns === ns && x.name === cred)) return [];
      const elsewhere = secrets.filter(x => x.name === cred).map(x => x.ns);
      if (elsewhere.length === 0) return [];
      return [finding(index, invalidGatewayCredential, gw,
        `credentialName '${cred}' is looked up in the gateway workload's namespace ${ns}, but the Secret/Certificate is declared in ${elsewhere.join(', ')}`,
        `issue the certificate into namespace ${ns} (where the gateway deployment runs)`)];
    }));
  },
};

/** KIA0203: a DestinationRule subset whose labels select no workload of the host. */
const subsetSelectsNothing: Rule = {
  id: 'KIA0203',
  name: 'SubsetLabelsNotFound',
  level: 'warning',
  check: index => index.of('DestinationRule', ISTIO_NET).flatMap(dr => {
    const svc = index.serviceOfHost(dr.spec?.host ?? '', index.ns(dr));
    if (!svc) return [];
    const service = index.find('Service', svc.namespace, svc.name, '');
    const selector: Record<string, string> | undefined = service?.spec?.selector;
    const workloads = index.workloadsIn(svc.namespace).filter(w => !selector || matches(selector, w.labels));
    if (workloads.length === 0) return [];
    return (dr.spec?.subsets ?? []).filter((s: any) => !workloads.some(w => matches(s.labels ?? {}, w.labels))).map((s: any) =>
      finding(index, subsetSelectsNothing, dr, `subset '${s.name}' (labels ${JSON.stringify(s.labels ?? {})}) selects no workload of Service ${svc.namespace}/${svc.name}`,
        'fix the subset labels or the workload\'s pod labels (traffic to the subset has no endpoints)'));
  }),
};

/** IST0127 / KIA0004: a policy's selector matches no workload in its namespace. */
const noMatchingWorkloads: Rule = {
  id: 'IST0127',
  name: 'NoMatchingWorkloadsFound',
  level: 'warning',
  check: index => {
    const kinds = [['PeerAuthentication', ISTIO_SEC], ['AuthorizationPolicy', ISTIO_SEC], ['RequestAuthentication', ISTIO_SEC], ['Sidecar', ISTIO_NET]];
    const out: Finding[] = [];
    for (const [kind, group] of kinds) {
      for (const p of index.of(kind, group)) {
        const selector = kind === 'Sidecar' ? p.spec?.workloadSelector?.labels : p.spec?.selector?.matchLabels;
        if (!selector) continue;
        const inNs = index.workloadsIn(index.ns(p));
        if (inNs.length === 0) continue;
        if (!inNs.some(w => matches(selector, w.labels))) {
          out.push(finding(index, noMatchingWorkloads, p, `selector ${JSON.stringify(selector)} matches no workload of namespace ${index.ns(p)}`,
            'fix the selector or the pod labels; the policy applies to nothing'));
        }
      }
    }
    for (const server of index.of('Server', 'policy.linkerd.io')) {
      const selector = server.spec?.podSelector?.matchLabels;
      const inNs = index.workloadsIn(index.ns(server));
      if (!selector || inNs.length === 0) continue;
      if (!inNs.some(w => matches(selector, w.labels))) {
        out.push(finding(index, noMatchingWorkloads, server, `podSelector ${JSON.stringify(selector)} matches no workload of namespace ${index.ns(server)}`,
          'fix the selector or the pod labels; the Server applies to nothing'));
      }
    }
    return out;
  },
};

/**
 * KIA0207: a DestinationRule turns client TLS off (`tls.mode: DISABLE`, for the host or one of
 * its subsets) towards a host whose namespace or workload PeerAuthentication is STRICT: every
 * request is refused.
 */
const mtlsConflict: Rule = {
  id: 'KIA0207',
  name: 'MtlsDisabledTowardsStrict',
  level: 'error',
  check: index => index.of('DestinationRule', ISTIO_NET).flatMap(dr => {
    const disabled = [
      ...(dr.spec?.trafficPolicy?.tls?.mode === 'DISABLE' ? [''] : []),
      ...(dr.spec?.subsets ?? []).filter((s: any) => s.trafficPolicy?.tls?.mode === 'DISABLE').map((s: any) => ` (subset '${s.name}')`),
    ];
    if (disabled.length === 0) return [];
    const svc = index.serviceOfHost(dr.spec?.host ?? '', index.ns(dr));
    if (!svc) return [];
    const strict = index.of('PeerAuthentication', ISTIO_SEC).find(pa => pa.spec?.mtls?.mode === 'STRICT'
      && (index.ns(pa) === svc.namespace || (index.ns(pa) === 'istio-system' && !pa.spec?.selector)));
    if (!strict) return [];
    return disabled.map(where => finding(index, mtlsConflict, dr,
      `disables mTLS towards ${svc.namespace}/${svc.name}${where}, but ${index.describe(strict)} requires it (STRICT): every request fails`,
      'drop trafficPolicy.tls (Istio\'s auto mTLS), or make the PeerAuthentication PERMISSIVE for that workload'));
  }),
};

const PROTOCOL_PREFIXES = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'h2c', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp'];

/**
 * IST0118 / KIA0601: a Service port that L7 routing targets has neither a protocol-prefixed name
 * nor `appProtocol`, so the proxy relies on protocol sniffing (and on server-first protocols, fails).
 */
const portNaming: Rule = {
  id: 'IST0118',
  name: 'PortNameIsNotUnderNamingConvention',
  level: 'warning',
  check: index => {
    const routed = new Map<string, Set<number | undefined>>();
    const add = (ns: string, name: string, port: number | undefined) => {
      const key = `${ns}/${name}`;
      routed.set(key, (routed.get(key) ?? new Set()).add(port));
    };
    for (const vs of index.of('VirtualService', ISTIO_NET).filter(isMeshVirtualService)) {
      if (!vs.spec?.http) continue;
      for (const h of vs.spec?.hosts ?? []) {
        const svc = index.serviceOfHost(h, index.ns(vs));
        if (svc) add(svc.namespace, svc.name, undefined);
      }
    }
    for (const route of index.of('HTTPRoute', GATEWAY)) {
      for (const p of route.spec?.parentRefs ?? []) {
        if (p.kind === 'Service') add(p.namespace ?? index.ns(route), p.name, p.port);
      }
    }
    const out: Finding[] = [];
    for (const [key, ports] of routed) {
      const [ns, name] = key.split('/');
      const service = index.find('Service', ns, name, '');
      for (const sp of service?.spec?.ports ?? []) {
        if (!ports.has(undefined) && !ports.has(sp.port)) continue;
        const named = typeof sp.name === 'string' && PROTOCOL_PREFIXES.some(p => sp.name === p || sp.name.startsWith(`${p}-`));
        if (!named && !sp.appProtocol) {
          out.push(finding(index, portNaming, service!, `port ${sp.port}${sp.name ? ` ('${sp.name}')` : ''} carries L7 routing but names no protocol`,
            'name the port http[-suffix] (or grpc, http2 ...) or set appProtocol: http'));
        }
      }
    }
    return out;
  },
};

const LINKERD_DURATION = /^\d+(ms|s|m|h)$/;
const INBOUND_POLICIES = ['all-unauthenticated', 'all-authenticated', 'cluster-unauthenticated', 'cluster-authenticated', 'deny', 'audit'];

/**
 * LKD0001: Linkerd annotation values that Linkerd does not parse the way they read: durations are
 * one integer and one unit (`90s`, not `1m30s`; a parse error drops the whole configuration),
 * limits are integers, penalties ordered, inbound policies one of Linkerd's names.
 */
const linkerdAnnotations: Rule = {
  id: 'LKD0001',
  name: 'InvalidLinkerdAnnotation',
  level: 'error',
  check: index => index.objects.flatMap(o => {
    const all: [string, string][] = [
      ...Object.entries(o.metadata?.annotations ?? {}),
      ...Object.entries(o.spec?.template?.metadata?.annotations ?? {}) as [string, string][],
    ];
    const out: Finding[] = [];
    const bad = (key: string, value: string, rule: string) => out.push(finding(index, linkerdAnnotations, o, `annotation ${key}: '${value}' ${rule}`,
      'write it the way Linkerd parses it (see docs/analyzer.md)'));
    const values = Object.fromEntries(all);
    for (const [key, value] of all) {
      if (/^(retry\.linkerd\.io\/timeout|timeout\.linkerd\.io\/(request|response|idle)|balancer\.linkerd\.io\/failure-accrual-consecutive-(min|max)-penalty)$/.test(key) && !LINKERD_DURATION.test(value)) {
        bad(key, value, 'is not one integer and one unit (ms, s, m, h): Linkerd drops the configuration');
      }
      if (/^(retry\.linkerd\.io\/limit|balancer\.linkerd\.io\/failure-accrual-consecutive-max-failures)$/.test(key) && !/^\d+$/.test(value)) {
        bad(key, value, 'is not an integer');
      }
      if (key === 'config.linkerd.io/default-inbound-policy' && !INBOUND_POLICIES.includes(value)) {
        bad(key, value, `is not one of ${INBOUND_POLICIES.join(', ')}`);
      }
    }
    const min = values['balancer.linkerd.io/failure-accrual-consecutive-min-penalty'];
    const max = values['balancer.linkerd.io/failure-accrual-consecutive-max-penalty'];
    if (min && max && LINKERD_DURATION.test(min) && LINKERD_DURATION.test(max) && millis(min) > millis(max)) {
      bad('balancer.linkerd.io/failure-accrual-consecutive-min-penalty', min, `is longer than the max penalty (${max})`);
    }
    return out;
  }),
};

function millis(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d)!;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** The catalogue, in docs/analyzer.md order. */
/**
 * GW0003: a mesh route (an HTTPRoute with a Service parent) uses a field the targeted releases do
 * not serve or the mesh does not honour: the API server rejects it, or the mesh (Linkerd 2.17–2.20
 * honour only Gateway API v1.2.1's fields) ignores the whole route. Judged against the releases the
 * chart's mesh constructs target (docs/versions.md), so it covers routes written by hand too.
 */
function fieldNotHonoured(targets: MeshTarget[]): Rule {
  const rule = { id: 'GW0003', level: 'error' as FindingLevel };
  return {
    ...rule,
    name: 'FieldNotHonoured',
    check: index => {
      // the targets' profiles, once per program (not per route: a chart holds thousands)
      let profiles: GatewayApiProfile[] | undefined;
      const profilesOf = () => profiles ??= targets.map(t => gatewayApiProfile({
        bundle: GatewayApiBundle.of(`v1.${t.gatewayApi}`), experimental: t.gatewayApiChannel === 'experimental', apiVersion: 'v1', honours: t.honours,
      }));
      return index.of('HTTPRoute', GATEWAY)
        .filter(route => (route.spec?.parentRefs ?? []).some((p: any) => p.kind === 'Service'))
        .flatMap(route => {
          const rules: any[] = route.spec?.rules ?? [];
          const used: [GatewayApiFeature, string][] = [];
          if (rules.some(r => r.name !== undefined)) used.push(['ruleNames', 'rules[].name']);
          const mirrorShare = (f: any) => f.requestMirror?.percent !== undefined || f.requestMirror?.fraction !== undefined;
          if (rules.some(r => (r.filters ?? []).some(mirrorShare))) {
            used.push(['mirrorPercent', 'a RequestMirror percent or fraction']);
          }
          if (rules.some(r => r.timeouts !== undefined)) used.push(['timeouts', 'rules[].timeouts']);
          if (rules.some(r => r.retry !== undefined)) used.push(['retry', 'rules[].retry']);
          const problems = new Map<string, { feature: string; instead: string }>();
          if (used.length === 0) return [];
          for (const profile of profilesOf()) {
            for (const [feature, what] of used) {
              const lack = gatewayApiLacks(profile, feature, what);
              if (lack) problems.set(feature, lack);
            }
          }
          return [...problems.values()].map(p => finding(index, rule, route, `uses ${p.feature}`, p.instead));
        });
    },
  };
}

export const RULES: Rule[] = [
  backendNotFound, conflictingMeshHosts, unreachableRule, portNaming, noMatchingWorkloads, invalidGatewayCredential,
  subsetNotFound, subsetSelectsNothing, multipleDestinationRules, mtlsConflict, parentNotFound,
  shadowedHttpRouteRule, missingReferenceGrant, linkerdAnnotations,
];

/** Runs every rule over a program's objects; `targets`: the releases the program's mesh constructs target. */
export function analyzeObjects(objects: K8sObject[],
  options: { defaultNamespace?: string; acknowledged?: string[]; targets?: MeshTarget[] } = {}): Finding[] {
  const index = new Index(objects, options.defaultNamespace);
  const acknowledged = new Set(options.acknowledged ?? []);
  return [...RULES, fieldNotHonoured(options.targets ?? [])].filter(r => !acknowledged.has(r.id)).flatMap(r => r.check(index));
}
