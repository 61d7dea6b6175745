import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { LinkerdRelease } from './linkerd-route-policy';
import { AuthorizationIntent, AuthorizationRuleIntent, MtlsIntent, MtlsModeIntent, WorkloadRefIntent } from '../../model/security';
import { renderPlaintextAlert } from '../plaintext-alert';
import { SecurityRenderer, Unsupported } from '../renderer';

const POLICY = 'policy.linkerd.io';
const INBOUND_POLICY = 'config.linkerd.io/default-inbound-policy';
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
  private readonly serverVersion: string;

  constructor(private readonly release: LinkerdRelease) {
    this.displayName = release.name;
    this.serverVersion = release.minor >= 16 ? 'v1beta3' : release.minor === 15 ? 'v1beta2' : 'v1beta1';
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
      // The migration owns these Namespace objects; they must not be pruned when a stage drops one.
      const ns = new ApiObject(scope, `Namespace-${n.namespace}`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: n.namespace,
          annotations: {
            ...(n.mode !== 'UNSET' ? { [INBOUND_POLICY]: accessPolicy(n.mode) } : {}),
            'argocd.argoproj.io/sync-options': 'Prune=false',
            'kustomize.toolkit.fluxcd.io/prune': 'disabled',
          },
        },
      });
      // cdk8s gives every object the chart's namespace; a Namespace is cluster-scoped.
      if (ns.metadata.namespace !== undefined) ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    for (const w of intent.workloads) {
      const ports = [...new Set([...w.workload.ports, ...w.portExceptions.map(e => e.port)])].sort((a, b) => a - b);
      for (const port of ports) {
        const mode = w.portExceptions.find(e => e.port === port)?.mode ?? w.mode;
        if (mode === 'UNSET') continue;
        this.openServer(scope, `${w.name}-${port}`, w.workload, port, mode === 'STRICT');
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
    // A Server with no authorization denies every request to its port: deny by default.
    const servers = new Map<number, string>();
    for (const port of workload.ports) {
      const name = `${intent.name}-${port}`;
      this.server(scope, `Server-${port}`, name, workload, port);
      servers.set(port, name);
    }
    const routed = intent.allow.some(r => r.methods.length > 0 || r.paths.some(p => p.kind !== 'any'));
    for (const r of intent.allow) {
      const name = `${intent.name}-${r.name}`;
      const authentication = this.authentication(scope, `${r.name}-Authentication`, metadata(name), r);
      const ports = r.ports.length > 0 ? r.ports : workload.ports;
      if (routed) {
        // Once a Server has routes, requests that match none are refused, so every rule gets one.
        new ApiObject(scope, `${r.name}-HTTPRoute`, {
          apiVersion: `${POLICY}/v1beta3`,
          kind: 'HTTPRoute',
          metadata: metadata(name),
          spec: {
            parentRefs: ports.map(p => ({ group: POLICY, kind: 'Server', name: servers.get(p)! })),
            rules: [{ matches: matches(r) }],
          },
        });
        this.authorizationPolicy(scope, `${r.name}-AuthorizationPolicy`, metadata(name), { kind: 'HTTPRoute', name }, authentication);
      } else {
        for (const p of ports) {
          this.authorizationPolicy(scope, `${r.name}-AuthorizationPolicy-${p}`, metadata(`${name}-${p}`), { kind: 'Server', name: servers.get(p)! }, authentication);
        }
      }
    }
  }

  private server(scope: Construct, id: string, name: string, workload: WorkloadRefIntent, port: number, access?: string): void {
    new ApiObject(scope, id, {
      apiVersion: `${POLICY}/${this.serverVersion}`,
      kind: 'Server',
      metadata: { name, namespace: workload.namespace },
      spec: { podSelector: { matchLabels: workload.labels }, port, accessPolicy: access },
    });
  }

  /** A Server that lets in every client (or every authenticated one), whatever the namespace's default. */
  private openServer(scope: Construct, name: string, workload: WorkloadRefIntent, port: number, authenticated: boolean): void {
    const mode = authenticated ? 'STRICT' : 'PERMISSIVE';
    if (this.release.minor >= 16) {
      this.server(scope, `Server-${name}`, name, workload, port, accessPolicy(mode));
      return;
    }
    // Before 2.16 a Server denies by default and has no access policy of its own.
    this.server(scope, `Server-${name}`, name, workload, port);
    const metadata = { name, namespace: workload.namespace };
    const authentication = authenticated
      ? this.meshTls(scope, `${name}-Authentication`, metadata, { identities: ['*'] })
      : this.network(scope, `${name}-Authentication`, metadata);
    this.authorizationPolicy(scope, `AuthorizationPolicy-${name}`, metadata, { kind: 'Server', name }, authentication);
  }

  private authentication(scope: Construct, id: string, metadata: { name: string; namespace: string }, r: AuthorizationRuleIntent): Ref {
    if (r.peers.length === 0) return this.network(scope, id, metadata);
    if (r.peers.some(p => p.kind === 'authenticated')) return this.meshTls(scope, id, metadata, { identities: ['*'] });
    const refs = r.peers.flatMap(p => p.kind === 'serviceAccount' ? [{ kind: 'ServiceAccount', name: p.name, namespace: p.namespace }]
      : p.kind === 'namespace' ? [{ kind: 'Namespace', name: p.namespace }] : []);
    const unique = [...new Map(refs.map(x => [JSON.stringify(x), x])).values()];
    return this.meshTls(scope, id, metadata, { identityRefs: unique });
  }

  private meshTls(scope: Construct, id: string, metadata: { name: string; namespace: string }, spec: object): Ref {
    new ApiObject(scope, id, { apiVersion: `${POLICY}/v1alpha1`, kind: 'MeshTLSAuthentication', metadata, spec });
    return { group: POLICY, kind: 'MeshTLSAuthentication', name: metadata.name };
  }

  private network(scope: Construct, id: string, metadata: { name: string; namespace: string }): Ref {
    new ApiObject(scope, id, { apiVersion: `${POLICY}/v1alpha1`, kind: 'NetworkAuthentication', metadata, spec: { networks: ALL_NETWORKS } });
    return { group: POLICY, kind: 'NetworkAuthentication', name: metadata.name };
  }

  private authorizationPolicy(scope: Construct, id: string, metadata: { name: string; namespace: string },
    target: { kind: string; name: string }, authentication: Ref): void {
    new ApiObject(scope, id, {
      apiVersion: `${POLICY}/v1alpha1`,
      kind: 'AuthorizationPolicy',
      metadata,
      spec: { targetRef: { group: POLICY, ...target }, requiredAuthenticationRefs: [authentication] },
    });
  }
}

interface Ref {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

/** Every path × method combination of a rule (Istio ORs each list; an HTTPRoute ORs its matches). */
function matches(r: AuthorizationRuleIntent): object[] {
  const paths = r.paths.some(p => p.kind === 'any') || r.paths.length === 0 ? [undefined] : r.paths;
  const methods = r.methods.length > 0 ? r.methods : [undefined];
  return paths.flatMap(p => methods.map(method => ({
    // `/reviews/*` becomes PathPrefix `/reviews` (whole segments), which also admits `/reviews` itself.
    path: p === undefined ? { type: 'PathPrefix', value: '/' }
      : p.kind === 'exact' ? { type: 'Exact', value: p.value } : { type: 'PathPrefix', value: p.value.replace(/\/+$/, '') || '/' },
    method,
  })));
}
