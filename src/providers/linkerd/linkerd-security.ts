import { Construct, IConstruct } from 'constructs';
import { LinkerdRelease } from './linkerd-route-policy';
import type { LinkerdApis } from './options';
import { SecurityRenderer, Unsupported } from '../../model/renderer';
import {
  AuthorizationIntent, AuthorizationRuleIntent, ConditionIntent, MtlsIntent, MtlsModeIntent, OperationIntent, PatternIntent, readsJwt,
  WorkloadRefIntent,
} from '../../model/security';
import { extend } from '../../private/objects';
import { childId, claim, Claim, emit, rename } from '../../private/ownership';
import { renderPlaintextAlert } from '../shared/plaintext-alert';

const POLICY = 'policy.linkerd.io';
/** The Linkerd namespace annotation that sets who may connect when no Server says otherwise. */
export const INBOUND_POLICY_ANNOTATION = 'config.linkerd.io/default-inbound-policy';
/** Every address: how Linkerd says "clients without an identity too". */
const ALL_NETWORKS = [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }];

/** The default inbound policy (and Server access policy) for a mode. */
function accessPolicy(mode: MtlsModeIntent): string {
  return mode === 'STRICT' ? 'all-authenticated' : 'all-unauthenticated';
}

/**
 * Linkerd's policy API. mTLS between meshed pods is always on; what a migration changes is
 * whether a pod accepts clients without it: the `config.linkerd.io/default-inbound-policy`
 * annotation on the namespace, and a `Server` per workload port with its access policy
 * (`accessPolicy` from Linkerd 2.16; an AuthorizationPolicy with a Network- or
 * MeshTLSAuthentication before). Authorization: a Server per port (which denies by default),
 * then per rule a MeshTLSAuthentication and an AuthorizationPolicy on the Server, or on a
 * policy.linkerd.io HTTPRoute for method and path rules.
 * @see https://linkerd.io/2/reference/authorization-policy/
 */
export class LinkerdSecurity implements SecurityRenderer {
  public readonly displayName: string;

  constructor(private readonly release: LinkerdRelease, private readonly apis: LinkerdApis) {
    this.displayName = release.name;
  }

  public mtlsUnsupported(intent: MtlsIntent): Unsupported[] {
    const problems: Unsupported[] = [];
    if (intent.meshWide !== undefined && intent.meshWide !== 'UNSET') {
      problems.push({
        feature: 'a mesh-wide mTLS mode',
        instead: `set the control plane's Helm value proxy.defaultInboundPolicy (${intent.meshWide === 'DISABLE' ? 'all-unauthenticated' : accessPolicy(intent.meshWide)}) where Linkerd is installed, and list the namespaces here`,
      });
    }
    const disabled = [
      ...intent.namespaces.filter(n => n.mode === 'DISABLE').map(n => `namespace '${n.namespace}'`),
      ...intent.workloads.filter(w => w.mode === 'DISABLE').map(w => `workload '${w.workload.namespace}/${w.name}'`),
    ];
    if (disabled.length > 0) {
      problems.push({
        feature: `mTLS mode DISABLE (${disabled.join(', ')})`,
        instead: 'meshed pods always use mTLS with each other; use PERMISSIVE to accept plaintext clients, a port exception for one port, or take the workload out of the mesh',
      });
    }
    for (const w of intent.workloads) {
      if (w.mode !== 'UNSET' && w.workload.ports.length === 0) {
        problems.push({
          feature: `a mode for workload '${w.workload.namespace}/${w.name}' without its ports`,
          instead: 'give the workload\'s ports (WorkloadSelector.labels(labels, { ports })): Linkerd sets per-workload policy with a Server per port',
        });
      }
    }
    return problems;
  }

  public renderMtls(scope: Construct, intent: MtlsIntent): void {
    intent.namespaces.forEach((n, i) => {
      // The Namespace is shared with the install that onboards it (labels and annotations merge);
      // it must not be pruned when a stage drops it. Ids by position, not by name: see childId.
      emit(scope, childId('Namespace', i), {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: n.namespace,
          annotations: {
            ...(n.mode !== 'UNSET' ? { [INBOUND_POLICY_ANNOTATION]: accessPolicy(n.mode) } : {}),
            'argocd.argoproj.io/sync-options': 'Prune=false',
            'kustomize.toolkit.fluxcd.io/prune': 'disabled',
          },
        },
      }, { owner: intent.source, merge: 'metadata' });
    });
    for (const w of intent.workloads) {
      const ports = [...new Set([...w.workload.ports, ...w.portExceptions.map(e => e.port)])].sort((a, b) => a - b);
      for (const port of ports) {
        const mode = w.portExceptions.find(e => e.port === port)?.mode ?? w.mode;
        if (mode === 'UNSET') continue;
        this.openServer(scope, intent.source, `${w.name}-${port}`, w.workload, port, mode === 'STRICT');
      }
    }
    if (intent.alert) {
      renderPlaintextAlert(scope, intent.alert, {
        mesh: 'Linkerd',
        namespaceLabel: 'namespace',
        expr: regex => `sum by (namespace) (rate(request_total{direction="inbound", tls!="true", namespace=~"${regex}"}[5m]))`,
      });
    }
  }

  public authorizationUnsupported(intent: AuthorizationIntent): Unsupported[] {
    const problems: Unsupported[] = [];
    if (!intent.workload || intent.workload.ports.length === 0) {
      problems.push({
        feature: intent.workload ? 'authorization for a workload without its ports' : 'authorization for a whole namespace',
        instead: 'give the workload with its ports (e.g. release.workloadSelector, or WorkloadSelector.labels(labels, { ports })): Linkerd authorizes per Server, one pod port each',
      });
    }
    if (intent.deny.length > 0) {
      problems.push({
        feature: 'explicit deny rules',
        instead: 'Linkerd authorization is allow-only and denies whatever no rule allows: narrow the allow rules instead',
      });
    }
    const rules = [...intent.allow, ...intent.deny];
    const conditions = rules.flatMap(r => r.conditions);
    const jwt = [
      ...(intent.jwt ? ['jwt'] : []),
      ...rules.filter(r => r.peers.some(p => p.kind === 'jwt')).map(r => `Peer.jwt() in rule ${r.name}`),
      ...conditions.filter(readsJwt).map(c => `${c.prop}: ${c.display}`),
    ];
    if (jwt.length > 0) {
      problems.push({ feature: `JWT authentication (${jwt.join('; ')})`, instead: 'validate tokens in the application or at the ingress gateway, or use Istio' });
    }
    if (rules.some(r => r.peers.some(p => p.kind === 'notNamespaces'))) {
      problems.push({ feature: 'clients outside namespaces (Peer.outsideNamespaces)', instead: 'list the clients that are allowed (Peer.namespace, Peer.serviceAccount)' });
    }
    const badPaths = rules.flatMap(r => r.operations.flatMap(o => o.paths)).filter(p => p.kind === 'suffix' || (p.kind === 'prefix' && !p.value.endsWith('/')));
    if (badPaths.length > 0) {
      problems.push({
        feature: `the paths ${badPaths.map(p => JSON.stringify(p.pattern)).join(', ')}`,
        instead: 'HTTPRoute matches exact paths and whole path segments: use exact paths or prefixes that end at a segment (/reviews/*)',
      });
    }
    const shown = (cs: ConditionIntent[]) => cs.map(c => `${c.prop}: ${c.display}`).join('; ');
    const negatedHeaders = conditions.filter(c => c.kind === 'header' && c.negated);
    if (negatedHeaders.length > 0) {
      problems.push({
        feature: `header conditions that must not match (${shown(negatedHeaders)})`,
        instead: 'a policy.linkerd.io HTTPRoute matches headers but cannot negate a match: list the values that are allowed (Condition.header), or use Istio',
      });
    }
    const remote = conditions.filter(c => c.kind === 'remoteIp');
    if (remote.length > 0) {
      problems.push({
        feature: `client addresses from X-Forwarded-For (${shown(remote)})`,
        instead: 'Linkerd authorizes the address of the connection: use Condition.sourceIp (a NetworkAuthentication), or use Istio',
      });
    }
    for (const r of rules) {
      const sourceIps = r.conditions.filter(c => c.kind === 'sourceIp');
      if (sourceIps.length > 1) {
        problems.push({
          feature: `several source address conditions in one rule (${shown(sourceIps)})`,
          instead: 'an AuthorizationPolicy takes one NetworkAuthentication: put the addresses in one Condition.sourceIp (or one Condition.negate)',
        });
      }
      const headers = r.conditions.filter(c => c.kind === 'header').map(c => c.path[0].toLowerCase());
      const twice = headers.filter((h, i) => headers.indexOf(h) !== i);
      if (twice.length > 0) {
        problems.push({
          feature: `two conditions on the header '${twice[0]}' in rule ${r.name}`,
          instead: 'an HTTPRoute match considers only the first entry for a header name: give the header one Condition.header with every accepted value',
        });
      }
      const count = Math.max(...matchGroups(r, intent.workload?.ports ?? []).map(g => g.matches.length));
      if (count > MAX_MATCHES) {
        problems.push({
          feature: `rule ${r.name}, which needs ${count} matches in one HTTPRoute (every method × path × header value)`,
          instead: `an HTTPRoute holds at most ${MAX_MATCHES} (16 rules of 8 matches): split the rule, or use fewer values`,
        });
      }
    }
    return problems;
  }

  public renderAuthorization(scope: Construct, intent: AuthorizationIntent): void {
    const workload = intent.workload!;
    const metadata = (name: string) => ({ name, namespace: intent.namespace });
    const owner: Claim = { owner: intent.source, resolve: rename() };
    // A Server with no authorization denies every request to its port: deny by default.
    const servers = new Map<number, string>();
    for (const port of workload.ports) {
      const name = `${intent.name}-${port}`;
      this.server(scope, owner, `Server-${port}`, name, workload, port);
      servers.set(port, name);
    }
    const routed = intent.allow.some(needsRoute);
    for (const r of intent.allow) {
      const name = `${intent.name}-${r.name}`;
      const authentications = this.authentications(scope, owner, r.name, metadata(name), r);
      if (routed) {
        // Once a Server has routes, requests that match none are refused, so every rule gets one.
        // Operations on different ports need routes on different Servers: one per port set.
        const groups = matchGroups(r, workload.ports);
        for (const g of groups) {
          const suffix = groups.length > 1 ? `-${g.ports.join('-')}` : '';
          const routeName = `${name}${suffix}`;
          emit(scope, `${r.name}-HTTPRoute${suffix}`, {
            apiVersion: this.apis.policyRoute,
            kind: 'HTTPRoute',
            metadata: metadata(routeName),
            spec: {
              parentRefs: g.ports.map(p => ({ group: POLICY, kind: 'Server', name: servers.get(p)! })),
              // an HTTPRoute rule takes at most 8 matches (schema); rules are ORed like matches
              rules: chunks(g.matches, 8).map(m => ({ matches: m })),
            },
          }, owner);
          this.authorizationPolicy(scope, owner, `${r.name}-AuthorizationPolicy${suffix}`, metadata(routeName), { kind: 'HTTPRoute', name: routeName }, authentications);
        }
      } else {
        const ports = portsOf(r.operations, workload.ports);
        for (const p of ports) {
          this.authorizationPolicy(scope, owner, `${r.name}-AuthorizationPolicy-${p}`, metadata(`${name}-${p}`), { kind: 'Server', name: servers.get(p)! }, authentications);
        }
      }
    }
  }

  /**
   * A Server selects one pod port; Linkerd's admission webhook refuses a second Server with the
   * same pod selector and port ("identical server spec already exists"), so each has one owner.
   */
  private server(scope: Construct, c: Claim, id: string, name: string, workload: WorkloadRefIntent, port: number, access?: string): void {
    const selector = Object.entries(workload.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
    claim(scope, `${workload.namespace}/{${selector}}:${port}`, 'a Linkerd Server for pod port', c);
    emit(scope, id, {
      apiVersion: this.apis.server,
      kind: 'Server',
      metadata: { name, namespace: workload.namespace },
      spec: { podSelector: { matchLabels: workload.labels }, port, accessPolicy: access },
    }, c);
  }

  /** A Server that lets in every client (or every authenticated one), whatever the namespace's default. */
  private openServer(scope: Construct, source: IConstruct, name: string, workload: WorkloadRefIntent, port: number, authenticated: boolean): void {
    const mode = authenticated ? 'STRICT' : 'PERMISSIVE';
    const c: Claim = {
      owner: source,
      resolve: `leave port ${port} of '${workload.namespace}/${name.slice(0, name.lastIndexOf('-'))}' out of ${source.node.path}: `
        + 'an authorization policy\'s Server already decides who may connect to it',
    };
    if (this.release.minor >= 16) {
      this.server(scope, c, `Server-${name}`, name, workload, port, accessPolicy(mode));
      return;
    }
    // Before 2.16 a Server denies by default and has no access policy of its own.
    this.server(scope, c, `Server-${name}`, name, workload, port);
    const metadata = { name, namespace: workload.namespace };
    const authentication = authenticated
      ? this.meshTls(scope, c, `${name}-Authentication`, metadata, { identities: ['*'] })
      : this.network(scope, c, `${name}-Authentication`, metadata);
    this.authorizationPolicy(scope, c, `AuthorizationPolicy-${name}`, metadata, { kind: 'Server', name }, authentication);
  }

  /**
   * What a rule requires, all of it (AuthorizationPolicy requiredAuthenticationRefs: "ALL
   * authentications must be satisfied"): the peers' identities (a MeshTLSAuthentication) and
   * the source addresses (a NetworkAuthentication); a rule with neither admits every network.
   */
  private authentications(scope: Construct, c: Claim, rule: string, metadata: { name: string; namespace: string },
    r: AuthorizationRuleIntent): Ref[] {
    const refs: Ref[] = [];
    if (r.peers.some(p => p.kind === 'authenticated')) {
      refs.push(this.meshTls(scope, c, `${rule}-Authentication`, metadata, { identities: ['*'] }));
    } else if (r.peers.length > 0) {
      const ids = r.peers.flatMap(p => p.kind === 'serviceAccount' ? [{ kind: 'ServiceAccount', name: p.name, namespace: p.namespace }]
        : p.kind === 'namespace' ? [{ kind: 'Namespace', name: p.namespace }] : []);
      const unique = [...new Map(ids.map(x => [JSON.stringify(x), x])).values()];
      refs.push(this.meshTls(scope, c, `${rule}-Authentication`, metadata, { identityRefs: unique }));
    }
    const sourceIp = r.conditions.find(x => x.kind === 'sourceIp');
    if (sourceIp || refs.length === 0) {
      // Named after the rule when it is the rule's only authentication (as before), else `-network`.
      const network = refs.length === 0 ? metadata : { ...metadata, name: `${metadata.name}-network` };
      const id = refs.length === 0 ? `${rule}-Authentication` : `${rule}-NetworkAuthentication`;
      refs.push(this.network(scope, c, id, network, sourceIp ? networks(sourceIp) : ALL_NETWORKS));
    }
    return refs;
  }

  private meshTls(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string }, spec: object): Ref {
    emit(scope, id, { apiVersion: this.apis.authorization, kind: 'MeshTLSAuthentication', metadata, spec }, c);
    return { group: POLICY, kind: 'MeshTLSAuthentication', name: metadata.name };
  }

  private network(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string }, nets: object[] = ALL_NETWORKS): Ref {
    emit(scope, id, { apiVersion: this.apis.authorization, kind: 'NetworkAuthentication', metadata, spec: { networks: nets } }, c);
    return { group: POLICY, kind: 'NetworkAuthentication', name: metadata.name };
  }

  private authorizationPolicy(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string },
    target: { kind: string; name: string }, authentications: Ref | Ref[]): void {
    const refs = Array.isArray(authentications) ? authentications : [authentications];
    emit(scope, id, {
      apiVersion: this.apis.authorization,
      kind: 'AuthorizationPolicy',
      metadata,
      spec: { targetRef: { group: POLICY, ...target }, requiredAuthenticationRefs: refs },
    }, c);
  }
}

interface Ref {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** An HTTPRoute takes 16 rules of at most 8 matches (policy.linkerd.io HTTPRoute schema). */
const MAX_MATCHES = 16 * 8;

/** Whether a rule needs HTTPRoutes: methods, paths or headers to match. */
function needsRoute(r: AuthorizationRuleIntent): boolean {
  return r.operations.some(o => o.methods.length > 0 || o.paths.some(p => p.kind !== 'any')) || r.conditions.some(c => c.kind === 'header');
}

/** The workload ports operations are about (any: all of them), sorted. */
function portsOf(ops: OperationIntent[], all: number[]): number[] {
  if (ops.length === 0 || ops.some(o => o.ports.length === 0)) return all;
  return [...new Set(ops.flatMap(o => o.ports))].sort((a, b) => a - b);
}

/**
 * A rule's HTTPRoute matches, grouped by the ports (Servers) they apply to: every operation's
 * path × method, each with every combination of the header conditions' values (Istio ORs the
 * operations and each list's values, and ANDs the conditions; an HTTPRoute ORs its matches and
 * ANDs the headers of one match).
 */
function matchGroups(r: AuthorizationRuleIntent, allPorts: number[]): { ports: number[]; matches: object[] }[] {
  const headerSets = r.conditions.filter(c => c.kind === 'header')
    .reduce<object[][]>((sets, c) => sets.flatMap(set => c.values.map(v => [...set, headerMatch(c.path[0], v)])), [[]]);
  const ops = r.operations.length > 0 ? r.operations : [{ methods: [], paths: [], ports: [] }];
  const groups = new Map<string, { ports: number[]; matches: object[] }>();
  for (const o of ops) {
    const ports = o.ports.length > 0 ? o.ports : allPorts;
    const key = ports.join(',');
    const group = groups.get(key) ?? { ports, matches: [] };
    groups.set(key, group);
    for (const m of operationMatches(o)) {
      group.matches.push(...headerSets.map(headers => extend(m, { headers: headers.length > 0 ? headers : undefined })));
    }
  }
  return [...groups.values()];
}

/** Every path × method combination of an operation. */
function operationMatches(o: OperationIntent): { path: object; method?: string }[] {
  const paths = o.paths.some(p => p.kind === 'any') || o.paths.length === 0 ? [undefined] : o.paths;
  const methods = o.methods.length > 0 ? o.methods : [undefined];
  return paths.flatMap(p => methods.map(method => ({
    path: p === undefined || (p.kind === 'prefix' && p.value === '/') ? { type: 'PathPrefix', value: '/' }
      : p.kind === 'exact' ? { type: 'Exact', value: p.value } : prefixRegex(p.value),
    method,
  })));
}

/**
 * A header value in Istio's syntax as an HTTPRoute header match: exact, or an anchored regular
 * expression for a prefix, a suffix or "present" (policy-controller/k8s/index/src/routes/http.rs
 * header_match reads Exact and RegularExpression; a header match never matches an absent header).
 */
function headerMatch(name: string, v: PatternIntent): object {
  if (v.kind === 'exact') return { name, type: 'Exact', value: v.value };
  const fixed = escapeRegex(v.value);
  const value = v.kind === 'prefix' ? `^${fixed}.*$` : v.kind === 'suffix' ? `^.*${fixed}$` : '^.*$';
  return { name, type: 'RegularExpression', value };
}

/**
 * A NetworkAuthentication's networks for a source-address condition: the addresses, or for a
 * negated one every address except them (`except` must lie inside its `cidr`, so per family).
 * Bare addresses become host ranges (/32, /128).
 */
function networks(c: ConditionIntent): object[] {
  const cidrs = c.values.map(v => v.value.includes('/') ? v.value : `${v.value}/${v.value.includes(':') ? 128 : 32}`);
  if (!c.negated) return cidrs.map(cidr => ({ cidr }));
  const v4 = cidrs.filter(x => !x.includes(':'));
  const v6 = cidrs.filter(x => x.includes(':'));
  return [
    { cidr: '0.0.0.0/0', except: v4.length > 0 ? v4 : undefined },
    { cidr: '::/0', except: v6.length > 0 ? v6 : undefined },
  ];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `/reviews/*` admits `/reviews/…` but not `/reviews` (Istio's prefix match is a string prefix).
 * PathPrefix `/reviews/` would not say that: Gateway API ignores a trailing slash and matches whole
 * segments, so it also admits `/reviews`. Linkerd's policy controller reads RegularExpression path
 * matches (policy-controller/k8s/index/src/routes/http.rs path_match), anchored here at both ends.
 */
function prefixRegex(prefix: string): { type: string; value: string } {
  return { type: 'RegularExpression', value: `^${escapeRegex(prefix)}.*$` };
}
