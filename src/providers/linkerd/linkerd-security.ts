import { Construct, IConstruct } from 'constructs';
import { LinkerdRelease } from './linkerd-route-policy';
import type { LinkerdApis } from './options';
import { SecurityRenderer, Unsupported } from '../../model/renderer';
import { AuthorizationIntent, AuthorizationRuleIntent, MtlsIntent, MtlsModeIntent, WorkloadRefIntent } from '../../model/security';
import { claim, Claim, emit } from '../../private/ownership';
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
    for (const n of intent.namespaces) {
      // The Namespace is shared with the install that onboards it (labels and annotations merge);
      // it must not be pruned when a stage drops it.
      emit(scope, `Namespace-${n.namespace}`, {
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
    }
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
    if (intent.jwt || rules.some(r => r.claims.length > 0 || r.peers.some(p => p.kind === 'jwt'))) {
      problems.push({ feature: 'JWT authentication', instead: 'validate tokens in the application or at the ingress gateway, or use Istio' });
    }
    if (rules.some(r => r.peers.some(p => p.kind === 'notNamespaces'))) {
      problems.push({ feature: 'clients outside namespaces (Peer.outsideNamespaces)', instead: 'list the clients that are allowed (Peer.namespace, Peer.serviceAccount)' });
    }
    const badPaths = rules.flatMap(r => r.paths).filter(p => p.kind === 'suffix' || (p.kind === 'prefix' && !p.value.endsWith('/')));
    if (badPaths.length > 0) {
      problems.push({
        feature: `the paths ${badPaths.map(p => JSON.stringify(p.pattern)).join(', ')}`,
        instead: 'HTTPRoute matches exact paths and whole path segments: use exact paths or prefixes that end at a segment (/reviews/*)',
      });
    }
    return problems;
  }

  public renderAuthorization(scope: Construct, intent: AuthorizationIntent): void {
    const workload = intent.workload!;
    const metadata = (name: string) => ({ name, namespace: intent.namespace });
    const owner: Claim = { owner: intent.source, resolve: `give ${intent.source.node.path} another name` };
    // A Server with no authorization denies every request to its port: deny by default.
    const servers = new Map<number, string>();
    for (const port of workload.ports) {
      const name = `${intent.name}-${port}`;
      this.server(scope, owner, `Server-${port}`, name, workload, port);
      servers.set(port, name);
    }
    const routed = intent.allow.some(r => r.methods.length > 0 || r.paths.some(p => p.kind !== 'any'));
    for (const r of intent.allow) {
      const name = `${intent.name}-${r.name}`;
      const authentication = this.authentication(scope, owner, `${r.name}-Authentication`, metadata(name), r);
      const ports = r.ports.length > 0 ? r.ports : workload.ports;
      if (routed) {
        // Once a Server has routes, requests that match none are refused, so every rule gets one.
        emit(scope, `${r.name}-HTTPRoute`, {
          apiVersion: this.apis.policyRoute,
          kind: 'HTTPRoute',
          metadata: metadata(name),
          spec: {
            parentRefs: ports.map(p => ({ group: POLICY, kind: 'Server', name: servers.get(p)! })),
            // an HTTPRoute rule takes at most 8 matches (schema); rules are ORed like matches
            rules: chunks(matches(r), 8).map(m => ({ matches: m })),
          },
        }, owner);
        this.authorizationPolicy(scope, owner, `${r.name}-AuthorizationPolicy`, metadata(name), { kind: 'HTTPRoute', name }, authentication);
      } else {
        for (const p of ports) {
          this.authorizationPolicy(scope, owner, `${r.name}-AuthorizationPolicy-${p}`, metadata(`${name}-${p}`), { kind: 'Server', name: servers.get(p)! }, authentication);
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

  private authentication(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string }, r: AuthorizationRuleIntent): Ref {
    if (r.peers.length === 0) return this.network(scope, c, id, metadata);
    if (r.peers.some(p => p.kind === 'authenticated')) return this.meshTls(scope, c, id, metadata, { identities: ['*'] });
    const refs = r.peers.flatMap(p => p.kind === 'serviceAccount' ? [{ kind: 'ServiceAccount', name: p.name, namespace: p.namespace }]
      : p.kind === 'namespace' ? [{ kind: 'Namespace', name: p.namespace }] : []);
    const unique = [...new Map(refs.map(x => [JSON.stringify(x), x])).values()];
    return this.meshTls(scope, c, id, metadata, { identityRefs: unique });
  }

  private meshTls(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string }, spec: object): Ref {
    emit(scope, id, { apiVersion: this.apis.authorization, kind: 'MeshTLSAuthentication', metadata, spec }, c);
    return { group: POLICY, kind: 'MeshTLSAuthentication', name: metadata.name };
  }

  private network(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string }): Ref {
    emit(scope, id, { apiVersion: this.apis.authorization, kind: 'NetworkAuthentication', metadata, spec: { networks: ALL_NETWORKS } }, c);
    return { group: POLICY, kind: 'NetworkAuthentication', name: metadata.name };
  }

  private authorizationPolicy(scope: Construct, c: Claim, id: string, metadata: { name: string; namespace: string },
    target: { kind: string; name: string }, authentication: Ref): void {
    emit(scope, id, {
      apiVersion: this.apis.authorization,
      kind: 'AuthorizationPolicy',
      metadata,
      spec: { targetRef: { group: POLICY, ...target }, requiredAuthenticationRefs: [authentication] },
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

/** Every path × method combination of a rule (Istio ORs each list; an HTTPRoute ORs its matches). */
function matches(r: AuthorizationRuleIntent): object[] {
  const paths = r.paths.some(p => p.kind === 'any') || r.paths.length === 0 ? [undefined] : r.paths;
  const methods = r.methods.length > 0 ? r.methods : [undefined];
  return paths.flatMap(p => methods.map(method => ({
    path: p === undefined || (p.kind === 'prefix' && p.value === '/') ? { type: 'PathPrefix', value: '/' }
      : p.kind === 'exact' ? { type: 'Exact', value: p.value } : prefixRegex(p.value),
    method,
  })));
}

/**
 * `/reviews/*` admits `/reviews/…` but not `/reviews` (Istio's prefix match is a string prefix).
 * PathPrefix `/reviews/` would not say that: Gateway API ignores a trailing slash and matches whole
 * segments, so it also admits `/reviews`. Linkerd's policy controller reads RegularExpression path
 * matches (policy-controller/k8s/index/src/routes/http.rs path_match), anchored here at both ends.
 */
function prefixRegex(prefix: string): { type: string; value: string } {
  return { type: 'RegularExpression', value: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*$` };
}
