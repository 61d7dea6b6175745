import { Construct } from 'constructs';
import { AuthorizationPolicySpec, PeerAuthenticationSpec, Rule, Source } from './types';
import { SecurityRenderer, Unsupported } from '../../model/renderer';
import { AuthorizationIntent, AuthorizationRuleIntent, MtlsIntent, PeerIntent } from '../../model/security';
import { emit } from '../../private/ownership';
import { renderPlaintextAlert } from '../shared/plaintext-alert';

export interface IstioSecurityOptions {
  /** ambient mode: DISABLE is ignored by ztunnel, so it is rejected */
  readonly ambient: boolean;
  /** where a PeerAuthentication applies mesh-wide */
  readonly rootNamespace: string;
  /** the first part of SPIFFE principals */
  readonly trustDomain: string;
  /** e.g. `security.istio.io/v1` (decided by `istioApis()`) */
  readonly apiVersion: string;
}

/**
 * Istio's security API (`security.istio.io/v1`): PeerAuthentication for mTLS modes,
 * AuthorizationPolicy with SPIFFE principals, RequestAuthentication for JWTs.
 * @see https://istio.io/latest/docs/reference/config/security/
 */
export class IstioSecurity implements SecurityRenderer {
  public readonly displayName: string;

  constructor(private readonly options: IstioSecurityOptions) {
    this.displayName = `Istio${options.ambient ? ' ambient' : ''} (${options.apiVersion})`;
  }

  public mtlsUnsupported(intent: MtlsIntent): Unsupported[] {
    if (!this.options.ambient) return [];
    const disabled = [
      ...(intent.meshWide === 'DISABLE' ? ['mesh-wide'] : []),
      ...intent.namespaces.filter(n => n.mode === 'DISABLE').map(n => `namespace '${n.namespace}'`),
      ...intent.workloads.filter(w => w.mode === 'DISABLE').map(w => `workload '${w.workload.namespace}/${w.name}'`),
      ...intent.workloads.flatMap(w => w.portExceptions.filter(e => e.mode === 'DISABLE').map(e => `port ${e.port} of '${w.workload.namespace}/${w.name}'`)),
    ];
    return disabled.length > 0 ? [{
      feature: `mTLS mode DISABLE (${disabled.join(', ')})`,
      instead: 'ztunnel ignores it in ambient mode; use PERMISSIVE to accept plaintext, or take the workload out of the ambient mesh (istio.io/dataplane-mode=none)',
    }] : [];
  }

  public renderMtls(scope: Construct, intent: MtlsIntent): void {
    const peerAuthentication = (id: string, name: string, namespace: string, spec: PeerAuthenticationSpec, resolve: string) =>
      emit(scope, id, { apiVersion: this.options.apiVersion, kind: 'PeerAuthentication', metadata: { name, namespace }, spec },
        { owner: intent.source, resolve });
    if (intent.meshWide !== undefined) {
      peerAuthentication('MeshWide', 'default', this.options.rootNamespace, { mtls: { mode: intent.meshWide } },
        `drop the mesh-wide mode (meshWide) from ${intent.source.node.path}`);
    }
    for (const n of intent.namespaces) {
      if (n.mode === 'UNSET') continue;
      peerAuthentication(`Namespace-${n.namespace}`, 'default', n.namespace, { mtls: { mode: n.mode } },
        `set namespace '${n.namespace}' in one migration only`);
    }
    for (const w of intent.workloads) {
      // portLevelMtls only takes effect with a selector (the CRD rejects it without one).
      peerAuthentication(`Workload-${w.workload.namespace}-${w.name}`, w.name, w.workload.namespace, {
        selector: { matchLabels: w.workload.labels },
        mtls: w.mode !== 'UNSET' ? { mode: w.mode } : undefined,
        portLevelMtls: w.portExceptions.length > 0
          ? Object.fromEntries(w.portExceptions.map(e => [String(e.port), { mode: e.mode }])) : undefined,
      }, `give workload '${w.workload.namespace}/${w.name}' another name`);
    }
    if (intent.alert) {
      // Ambient: ztunnel is L4 and exports only istio_tcp_* metrics (istio/ztunnel
      // src/proxy/metrics.rs); its inbound passthrough (plaintext) reports
      // connection_security_policy "unknown". Sidecars report HTTP requests.
      const metric = this.options.ambient ? 'istio_tcp_connections_opened_total' : 'istio_requests_total';
      renderPlaintextAlert(scope, intent.alert, {
        mesh: this.options.ambient ? 'Istio ambient (ztunnel)' : 'Istio',
        counts: this.options.ambient ? 'TCP connections' : 'requests',
        namespaceLabel: 'destination_workload_namespace',
        expr: regex => `sum by (destination_workload_namespace) (rate(${metric}{reporter="destination", `
          + `connection_security_policy!="mutual_tls", destination_workload_namespace=~"${regex}"}[5m]))`,
      });
    }
  }

  public authorizationUnsupported(intent: AuthorizationIntent): Unsupported[] {
    if (!this.options.ambient) return [];
    // ztunnel enforces selector-bound policies at L4 and fails closed on L7 attributes.
    const l7 = [...intent.allow, ...intent.deny].some(r => r.methods.length > 0 || r.paths.length > 0 || r.claims.length > 0
      || r.peers.some(p => p.kind === 'jwt')) || intent.jwt !== undefined;
    return l7 ? [{
      feature: 'L7 authorization rules (methods, paths, JWT) on workloads selected by labels',
      instead: 'ztunnel enforces them at L4 and would deny the requests; use L4 rules (identities, namespaces, ports) in ambient, or a waypoint-bound policy written by hand',
    }] : [];
  }

  public renderAuthorization(scope: Construct, intent: AuthorizationIntent): void {
    const selector = intent.workload ? { matchLabels: intent.workload.labels } : undefined;
    const claim = { owner: intent.source, resolve: `give ${intent.source.node.path} another name` };
    const policy = (id: string, name: string, spec: AuthorizationPolicySpec) =>
      emit(scope, id, { apiVersion: this.options.apiVersion, kind: 'AuthorizationPolicy', metadata: { name, namespace: intent.namespace }, spec }, claim);
    const hasAllowPolicy = intent.allow.length > 0 || intent.denyByDefault;
    if (intent.allow.length > 0) {
      policy('Allow', intent.name, { selector, action: 'ALLOW', rules: intent.allow.map(r => this.rule(r)) });
    } else if (intent.denyByDefault) {
      // An ALLOW policy without rules matches nothing: every request to the target is denied.
      policy('Allow', intent.name, { selector, action: 'ALLOW' });
    }
    if (intent.deny.length > 0) {
      policy('Deny', hasAllowPolicy ? `${intent.name}-deny` : intent.name, { selector, action: 'DENY', rules: intent.deny.map(r => this.rule(r)) });
    }
    if (intent.jwt) {
      emit(scope, 'RequestAuthentication', {
        apiVersion: this.options.apiVersion,
        kind: 'RequestAuthentication',
        metadata: { name: `${intent.name}-jwt`, namespace: intent.namespace },
        spec: {
          selector,
          jwtRules: [{
            issuer: intent.jwt.issuer,
            jwksUri: intent.jwt.jwksUri,
            audiences: intent.jwt.audiences.length > 0 ? intent.jwt.audiences : undefined,
            forwardOriginalToken: intent.jwt.forwardOriginalToken || undefined,
          }],
        },
      }, claim);
    }
  }

  private rule(r: AuthorizationRuleIntent): Rule {
    const operation = {
      methods: r.methods.length > 0 ? r.methods : undefined,
      paths: r.paths.length > 0 && !r.paths.some(p => p.kind === 'any') ? r.paths.map(p => p.pattern) : undefined,
      ports: r.ports.length > 0 ? r.ports.map(String) : undefined,
    };
    const hasOperation = Object.values(operation).some(v => v !== undefined);
    const from = this.sources(r.peers);
    return {
      from: from.length > 0 ? from.map(source => ({ source })) : undefined,
      to: hasOperation ? [{ operation }] : undefined,
      when: r.claims.length > 0 ? r.claims.map(c => ({ key: `request.auth.claims[${c.claim.split('.').join('][')}]`, values: c.values })) : undefined,
    };
  }

  /** Peers of one kind share a source (lists within a source are OR'ed, as sources are). */
  private sources(peers: PeerIntent[]): Source[] {
    const principals: string[] = [];
    const namespaces: string[] = [];
    const requestPrincipals: string[] = [];
    const sources: Source[] = [];
    for (const p of peers) {
      switch (p.kind) {
        case 'serviceAccount':
          principals.push(`${this.options.trustDomain}/ns/${p.namespace}/sa/${p.name}`);
          break;
        case 'authenticated':
          principals.push('*');
          break;
        case 'namespace':
          namespaces.push(p.namespace);
          break;
        case 'jwt':
          requestPrincipals.push(`${p.issuer}/${p.subject}`);
          break;
        case 'notNamespaces':
          sources.push({ notNamespaces: p.namespaces });
          break;
      }
    }
    const unique = (xs: string[]) => [...new Set(xs)];
    return [
      ...(principals.length > 0 ? [{ principals: unique(principals) }] : []),
      ...(namespaces.length > 0 ? [{ namespaces: unique(namespaces) }] : []),
      ...(requestPrincipals.length > 0 ? [{ requestPrincipals: unique(requestPrincipals) }] : []),
      ...sources,
    ];
  }
}
