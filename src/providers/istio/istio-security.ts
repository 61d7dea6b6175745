import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { onWaypointBound, WAYPOINT_NAME } from './ambient-waypoint';
import { AuthorizationPolicySpec, Condition, Operation, PeerAuthenticationSpec, PolicyTargetReference, Rule, Source } from './types';
import { SecurityRenderer, Unsupported } from '../../model/renderer';
import { AuthorizationIntent, AuthorizationRuleIntent, ConditionIntent, MtlsIntent, OperationIntent, PeerIntent, readsJwt } from '../../model/security';
import { extend } from '../../private/objects';
import { childId, emit, rename } from '../../private/ownership';
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
    // Ids by position, not by name: see childId.
    intent.namespaces.filter(n => n.mode !== 'UNSET').forEach((n, i) => {
      peerAuthentication(childId('Namespace', i), 'default', n.namespace, { mtls: { mode: n.mode } },
        `set namespace '${n.namespace}' in one migration only`);
    });
    intent.workloads.forEach((w, i) => {
      // portLevelMtls only takes effect with a selector (the CRD rejects it without one).
      peerAuthentication(childId('Workload', i), w.name, w.workload.namespace, {
        selector: { matchLabels: w.workload.labels },
        mtls: w.mode !== 'UNSET' ? { mode: w.mode } : undefined,
        portLevelMtls: w.portExceptions.length > 0
          ? Object.fromEntries(w.portExceptions.map(e => [String(e.port), { mode: e.mode }])) : undefined,
      }, `give workload '${w.workload.namespace}/${w.name}' another name`);
    });
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
    const l7 = l7Features(intent);
    return l7.length > 0 ? [{
      feature: `L7 authorization rules (${l7.join(', ')}) on workloads selected by labels`,
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
    const claim = { owner: intent.source, resolve: rename() };
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
    const l7 = l7Features(intent);
    if (l7.length > 0) {
      scope.node.addValidation({
        validate: () => state.waypoint ? [] : [`${intent.source.node.path}: ${this.displayName} cannot enforce L7 authorization rules `
          + `(${l7.join(', ')}) on '${intent.namespace}/${service}': its Service has no waypoint, and ztunnel enforces them at L4 `
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
    const claim = { owner: intent.source, resolve: rename() };
    const policy = (id: string, name: string, spec: AuthorizationPolicySpec) =>
      emit(scope, id, { apiVersion: this.options.apiVersion, kind: 'AuthorizationPolicy', metadata: { name, namespace: intent.namespace }, spec }, claim);
    const hasAllowPolicy = intent.allow.length > 0 || intent.denyByDefault;
    if (hasAllowPolicy) {
      // An ALLOW policy without rules matches nothing: every request to the target is denied.
      policy('Allow', intent.name, lazy(how.allow ?? (() => extend(target(), {
        action: 'ALLOW' as const, rules: intent.allow.length > 0 ? intent.allow.map(r => this.rule(r)) : undefined,
      }))));
    }
    if (intent.deny.length > 0) {
      policy('Deny', hasAllowPolicy ? `${intent.name}-deny` : intent.name, lazy(() => extend(target(), { action: 'DENY' as const, rules: intent.deny.map(r => this.rule(r)) })));
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
            // Envoy jwt_authn reads only the locations listed once any is: the defaults
            // (Authorization: Bearer, access_token) then no longer apply.
            fromHeaders: jwt.fromHeaders.length > 0 ? jwt.fromHeaders : undefined,
            fromParams: jwt.fromParams.length > 0 ? jwt.fromParams : undefined,
            forwardOriginalToken: jwt.forwardOriginalToken || undefined,
            outputPayloadToHeader: jwt.outputPayloadToHeader,
          }],
        })),
      }, claim);
    }
  }

  private rule(r: AuthorizationRuleIntent): Rule {
    // An operation that matches everything makes the rule's `to` match everything.
    const operations = r.operations.map(operation);
    const to = operations.length > 0 && operations.every(o => Object.keys(o).length > 0) ? operations.map(o => ({ operation: o })) : undefined;
    const from = this.sources(r.peers);
    return {
      from: from.length > 0 ? from.map(source => ({ source })) : undefined,
      to,
      when: r.conditions.length > 0 ? r.conditions.map(condition) : undefined,
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

/** An operation; the lists it leaves empty are left out (any). A path `*` is any path. */
function operation(o: OperationIntent): Operation {
  const op = {
    methods: o.methods.length > 0 ? o.methods : undefined,
    paths: o.paths.length > 0 && !o.paths.some(p => p.kind === 'any') ? o.paths.map(p => p.pattern) : undefined,
    ports: o.ports.length > 0 ? o.ports.map(String) : undefined,
  };
  return Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined));
}

/**
 * A `when` condition: Istio's attribute key (pilot/pkg/security/authz/model/model.go: headers and
 * claims in brackets, nested claims as `[a][b]`) and its values or notValues, each pattern as
 * written (`*`, `abc*`, `*abc`: matcher/string.go).
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
function condition(c: ConditionIntent): Condition {
  const values = c.values.map(v => v.pattern);
  return { key: conditionKey(c), ...(c.negated ? { notValues: values } : { values }) };
}

function conditionKey(c: ConditionIntent): string {
  switch (c.kind) {
    case 'header': return `request.headers[${c.path[0]}]`;
    case 'claim': return `request.auth.claims[${c.path.join('][')}]`;
    case 'requestPrincipal': return 'request.auth.principal';
    case 'audience': return 'request.auth.audiences';
    case 'presenter': return 'request.auth.presenter';
    case 'sourceIp': return 'source.ip';
    case 'remoteIp': return 'remote.ip';
  }
}

/**
 * What of a policy needs an L7 proxy, as users name it. ztunnel enforces only `source.ip` among
 * conditions (istio pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go
 * l4WhenAttributes: source.ip, source.namespace, source.principal, destination.ip/port) and no
 * request principals; an ALLOW rule with anything else never matches there.
 */
function l7Features(intent: AuthorizationIntent): string[] {
  const rules = [...intent.allow, ...intent.deny];
  const ops = rules.flatMap(r => r.operations);
  const conditions = rules.flatMap(r => r.conditions);
  const features: [boolean, string][] = [
    [ops.some(o => o.methods.length > 0), 'methods'],
    [ops.some(o => o.paths.length > 0), 'paths'],
    [conditions.some(c => c.kind === 'header'), 'request headers'],
    [conditions.some(c => c.kind === 'remoteIp'), 'remote IPs'],
    [intent.jwt !== undefined || conditions.some(readsJwt) || rules.some(r => r.peers.some(p => p.kind === 'jwt')), 'JWT'],
  ];
  return features.filter(([used]) => used).map(([, name]) => name);
}
