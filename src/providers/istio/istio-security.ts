import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { onWaypointBound, WAYPOINT_NAME } from './ambient-waypoint';
import { AuthorizationPolicySpec, PeerAuthenticationSpec, PolicyTargetReference, Rule, Source } from './types';
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
    // ztunnel enforces selector-bound policies at L4 and fails closed on L7 attributes. A workload
    // whose Service the library knows may get a waypoint, where they apply (checked at synthesis).
    if (intent.workload?.service !== undefined) return [];
    return hasL7(intent) ? [{
      feature: 'L7 authorization rules (methods, paths, JWT) on workloads selected by labels',
      instead: 'ztunnel enforces them at L4 and would deny the requests; use L4 rules (identities, namespaces, ports) in ambient, '
        + 'or give the policy the workload of a CanaryRelease or MeshWorkload whose Service has a waypoint (release.workloadSelector)',
    }] : [];
  }

  public renderAuthorization(scope: Construct, intent: AuthorizationIntent): void {
    const service = this.options.ambient ? intent.workload?.service : undefined;
    if (service === undefined) {
      this.renderPolicies(scope, intent, { selector: intent.workload ? { matchLabels: intent.workload.labels } : undefined });
      return;
    }
    this.renderAmbientPolicies(scope, intent, service);
  }

  /**
   * Ambient, for pods whose Service the library knows. Until the Service is bound to a waypoint,
   * the policies select the pods (ztunnel enforces them, L4 only). Once it is, requests to the
   * Service reach the pods from the waypoint, so ztunnel sees the waypoint's identity, not the
   * client's: the user's rules attach to the Service (`targetRefs`, enforced by the waypoint, L7
   * included), and the selector-bound ALLOW admits the waypoint alone, so it cannot be bypassed.
   * The binding is known only once every host intent is recorded, so the specs are decided at
   * synthesis and the waypoint's policy is created when the binding is.
   * @see https://istio.io/latest/docs/ambient/usage/l4-policy/#considerations
   * @see https://ambientmesh.io/docs/security/waypoint-authz (restricting workloads to only accept traffic from waypoints)
   */
  private renderAmbientPolicies(scope: Construct, intent: AuthorizationIntent, service: string): void {
    const selector = { matchLabels: intent.workload!.labels };
    const targetRefs: PolicyTargetReference[] = [{ group: '', kind: 'Service', name: service }];
    const state = { waypoint: false };
    const target = () => state.waypoint ? { targetRefs } : { selector };
    const claim = { owner: intent.source, resolve: `give ${intent.source.node.path} another name` };
    const hasAllowPolicy = intent.allow.length > 0 || intent.denyByDefault;
    const allowSpec = (): AuthorizationPolicySpec => ({
      action: 'ALLOW',
      rules: intent.allow.length > 0 ? intent.allow.map(r => this.rule(r)) : undefined,
    });
    this.renderPolicies(scope, intent, {
      allow: () => state.waypoint
        // ztunnel: only the waypoint may connect (it enforces the user's rules).
        ? { selector, action: 'ALLOW', rules: [{ from: [{ source: { principals: [this.waypointPrincipal(intent.namespace)] } }] }] }
        : { selector, ...allowSpec() },
      target,
    });
    onWaypointBound(Chart.of(scope), intent.namespace, service, () => {
      state.waypoint = true;
      if (!hasAllowPolicy) return;
      emit(scope, 'WaypointAllow', {
        apiVersion: this.options.apiVersion,
        kind: 'AuthorizationPolicy',
        metadata: { name: `${intent.name}-waypoint`, namespace: intent.namespace },
        spec: { targetRefs, ...allowSpec() },
      }, claim);
    });
    if (hasL7(intent)) {
      scope.node.addValidation({
        validate: () => state.waypoint ? [] : [`${intent.source.node.path}: ${this.displayName} cannot enforce L7 authorization rules `
          + `(methods, paths, JWT) on '${intent.namespace}/${service}': its Service has no waypoint, and ztunnel enforces them at L4 `
          + 'and would deny the requests; use L4 rules (identities, namespaces, ports), or give the Service L7 routing '
          + '(a CanaryRelease route, a RoutePolicy or a CircuitBreaker), which binds it to its namespace\'s waypoint'],
      });
    }
  }

  /** `<trustDomain>/ns/<namespace>/sa/waypoint`: Istio names a waypoint's ServiceAccount after its Gateway. */
  private waypointPrincipal(namespace: string): string {
    return `${this.options.trustDomain}/ns/${namespace}/sa/${WAYPOINT_NAME}`;
  }

  /**
   * The ALLOW (user rules, or allow-nothing), DENY and RequestAuthentication of a policy. `allow`
   * and `target` (selector or targetRefs) may be decided at synthesis.
   */
  private renderPolicies(scope: Construct, intent: AuthorizationIntent, how: {
    selector?: { matchLabels: Record<string, string> };
    allow?: () => AuthorizationPolicySpec;
    target?: () => Pick<AuthorizationPolicySpec, 'selector' | 'targetRefs'>;
  }): void {
    const target = how.target ?? (() => ({ selector: how.selector }));
    const lazy = <T>(produce: () => T): T => (how.target ? Lazy.any({ produce }) : produce()) as T;
    const claim = { owner: intent.source, resolve: `give ${intent.source.node.path} another name` };
    const policy = (id: string, name: string, spec: AuthorizationPolicySpec) =>
      emit(scope, id, { apiVersion: this.options.apiVersion, kind: 'AuthorizationPolicy', metadata: { name, namespace: intent.namespace }, spec }, claim);
    const hasAllowPolicy = intent.allow.length > 0 || intent.denyByDefault;
    if (hasAllowPolicy) {
      // An ALLOW policy without rules matches nothing: every request to the target is denied.
      policy('Allow', intent.name, lazy(how.allow ?? (() => ({
        ...target(), action: 'ALLOW', rules: intent.allow.length > 0 ? intent.allow.map(r => this.rule(r)) : undefined,
      }))));
    }
    if (intent.deny.length > 0) {
      policy('Deny', hasAllowPolicy ? `${intent.name}-deny` : intent.name, lazy(() => ({ ...target(), action: 'DENY', rules: intent.deny.map(r => this.rule(r)) })));
    }
    if (intent.jwt) {
      const jwt = intent.jwt;
      emit(scope, 'RequestAuthentication', {
        apiVersion: this.options.apiVersion,
        kind: 'RequestAuthentication',
        metadata: { name: `${intent.name}-jwt`, namespace: intent.namespace },
        spec: lazy(() => ({
          ...target(),
          jwtRules: [{
            issuer: jwt.issuer,
            jwksUri: jwt.jwksUri,
            audiences: jwt.audiences.length > 0 ? jwt.audiences : undefined,
            forwardOriginalToken: jwt.forwardOriginalToken || undefined,
          }],
        })),
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

/** Whether a policy needs an L7 proxy: methods, paths, claims, JWT principals or validation. */
function hasL7(intent: AuthorizationIntent): boolean {
  return [...intent.allow, ...intent.deny].some(r => r.methods.length > 0 || r.paths.length > 0 || r.claims.length > 0
    || r.peers.some(p => p.kind === 'jwt')) || intent.jwt !== undefined;
}
