import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { WorkloadSelector } from '../identity';
import { IMesh } from '../mesh';
import { HttpMethod } from '../model/match';
import { AuthorizationRule, Peer } from '../model/peer';
import {
  AuthorizationIntent, AuthorizationRuleIntent, JwtIntent, PathPatternIntent, PeerIntent, WorkloadRefIntent,
} from '../model/security';
import { checkDns1123Label, checkPort, invalid, throwUnsupported } from '../private/errors';
import { arrayOf, boolean, Check, checkProps, dns1123Label, enumOf, instanceOf, meshRef, nonEmptyString, object, optional, portNumber, required, string } from '../private/validation';

const RULES: Check = arrayOf(object({
  name: optional(dns1123Label),
  from: optional(arrayOf(instanceOf(Peer, 'Peer (Peer.identity(), .serviceAccount(), .namespace(), ...)'), { min: 1 })),
  methods: optional(arrayOf(enumOf(HttpMethod, 'HttpMethod'), { min: 1 })),
  paths: optional(arrayOf(nonEmptyString, { min: 1 })),
  ports: optional(arrayOf(portNumber, { min: 1 })),
  claims: optional(arrayOf(object({
    claim: required(string({ pattern: /^[A-Za-z0-9_.:/-]+$/, rule: 'a claim name (letters, digits, _ . : / -)' })),
    values: required(arrayOf(nonEmptyString)),
  }), { min: 1 })),
}));

/**
 * A JWT issuer whose tokens the workload validates. Istio only.
 */
export interface JwtIssuer {
  /**
   * The issuer (`iss` claim), e.g. `https://auth.example.com`.
   * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
   */
  readonly issuer: string;

  /**
   * Where the issuer publishes its keys (http or https URL).
   * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
   */
  readonly jwksUri: string;

  /**
   * Accepted audiences (`aud` claim).
   * @default - any audience
   */
  readonly audiences?: string[];

  /**
   * Whether the token is forwarded to the workload.
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
}

/**
 * Props for `MeshAuthorization`.
 */
export interface MeshAuthorizationProps {
  /** The mesh that renders the policy. */
  readonly mesh: IMesh;

  /**
   * The name of the policy's objects (a DNS-1123 label); per-rule objects add a suffix.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The namespace the policy protects.
   * @default - the workload's namespace, else the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The workload the policy protects (e.g. `release.workloadSelector`). Linkerd needs its ports.
   * @default - every workload of the namespace (Istio only)
   */
  readonly workload?: WorkloadSelector;

  /**
   * Whether requests that no allow rule matches are denied. With allow rules they always are
   * (Istio and Linkerd allow-lists); without, an explicit allow-nothing policy is emitted.
   * Set `false` for a policy of deny rules only, like the seeds' `deny-admin`.
   * @default true
   * @see https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns
   */
  readonly denyByDefault?: boolean;

  /**
   * Requests to let in (any rule).
   * @default - none
   */
  readonly allow?: AuthorizationRule[];

  /**
   * Requests to refuse, whatever the allow rules say (any rule). Istio only.
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy-Action
   */
  readonly deny?: AuthorizationRule[];

  /**
   * A JWT issuer whose tokens are validated (Istio `RequestAuthentication`). A token is then
   * required only by rules with `Peer.jwt()` or `claims`.
   * @default - no JWT validation
   * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
   */
  readonly jwt?: JwtIssuer;
}

/**
 * Zero-trust authorization for a namespace or a workload: deny by default, then allow by client
 * identity (service account, namespace), HTTP method and path; explicit deny rules; optional JWT.
 * Istio: AuthorizationPolicy (+ RequestAuthentication). Linkerd: a Server per port, then per rule
 * a MeshTLSAuthentication (or NetworkAuthentication), an AuthorizationPolicy and, for method and
 * path rules, a policy.linkerd.io HTTPRoute.
 */
export class MeshAuthorization extends Construct {
  /** The namespace the policy protects. */
  public readonly namespace: string;
  /** The base name of the policy's objects. */
  public readonly policyName: string;

  constructor(scope: Construct, id: string, props: MeshAuthorizationProps) {
    super(scope, id);
    checkProps(this, props, {
      mesh: required(meshRef),
      name: optional(dns1123Label),
      namespace: optional(dns1123Label),
      workload: optional(instanceOf(WorkloadSelector, 'WorkloadSelector (WorkloadSelector.labels(), or a workload\'s workloadSelector)')),
      denyByDefault: optional(boolean),
      allow: optional(RULES),
      deny: optional(RULES),
      jwt: optional(object({
        issuer: required(nonEmptyString),
        jwksUri: required(string({ pattern: /^https?:\/\/[^\s/]+[^\s]*$/, rule: 'an http:// or https:// URL' })),
        audiences: optional(arrayOf(nonEmptyString)),
        forwardOriginalToken: optional(boolean),
      })),
    });
    const name = props.name ?? id;
    checkDns1123Label(this, 'name', name);
    const namespace = props.namespace ?? props.workload?.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) invalid(this, 'namespace', namespace, 'set, or the workload\'s or the chart\'s namespace');
    checkDns1123Label(this, 'namespace', namespace);
    if (props.workload?.namespace !== undefined && props.workload.namespace !== namespace) {
      invalid(this, 'workload.namespace', props.workload.namespace, `the policy's namespace (${namespace})`);
    }
    const allow = (props.allow ?? []).map((r, i) => ruleIntent(this, `allow[${i}]`, r, i, namespace));
    const deny = (props.deny ?? []).map((r, i) => ruleIntent(this, `deny[${i}]`, r, i + allow.length, namespace));
    const names = new Set<string>();
    for (const r of [...allow, ...deny]) {
      if (names.has(r.name)) invalid(this, 'rule name', r.name, 'unique in the policy');
      names.add(r.name);
    }
    const denyByDefault = props.denyByDefault ?? true;
    if (!denyByDefault && allow.length === 0 && deny.length === 0) {
      invalid(this, 'allow/deny', [], 'at least one rule when denyByDefault is false (the policy would do nothing)');
    }
    const jwt = props.jwt ? jwtIntent(this, props.jwt) : undefined;
    for (const r of [...allow, ...deny]) {
      for (const p of r.peers) {
        if (p.kind === 'jwt' && p.issuer !== jwt?.issuer) {
          invalid(this, `rule ${r.name}: Peer.jwt issuer`, p.issuer, `the issuer of 'jwt' (${jwt?.issuer ?? 'not set'}), which validates the token`);
        }
      }
      if (r.claims.length > 0 && !jwt) invalid(this, `rule ${r.name}: claims`, r.claims, 'used with \'jwt\', which validates the token');
    }
    const workload: WorkloadRefIntent | undefined = props.workload
      ? { namespace, labels: props.workload.podLabels, ports: props.workload.ports, service: props.workload._service } : undefined;
    if (workload) {
      for (const r of [...allow, ...deny]) {
        const unknown = workload.ports.length > 0 ? r.ports.filter(p => !workload.ports.includes(p)) : [];
        if (unknown.length > 0) invalid(this, `rule ${r.name}: ports`, r.ports, `among the workload's ports (${workload.ports.join(', ')})`);
      }
    }

    this.namespace = namespace;
    this.policyName = name;
    const intent: AuthorizationIntent = { source: this, name, namespace, workload, denyByDefault, allow, deny, jwt };
    const security = props.mesh.provider._renderers.security;
    throwUnsupported(this, security.displayName, security.authorizationUnsupported(intent));
    security.renderAuthorization(this, intent);
  }
}

function ruleIntent(scope: IConstruct, prop: string, rule: AuthorizationRule, index: number, namespace: string): AuthorizationRuleIntent {
  const name = rule.name ?? `rule-${index}`;
  checkDns1123Label(scope, `${prop}.name`, name);
  const peers = (rule.from ?? []).map((p, i) => inNamespace(p._toIntent(scope, `${prop}.from[${i}]`), namespace));
  (rule.ports ?? []).forEach((p, i) => checkPort(scope, `${prop}.ports[${i}]`, p));
  const paths = (rule.paths ?? []).map((p, i) => pathPattern(scope, `${prop}.paths[${i}]`, p));
  for (const [i, c] of (rule.claims ?? []).entries()) {
    if (!/^[A-Za-z0-9_.:/-]+$/.test(c.claim)) invalid(scope, `${prop}.claims[${i}].claim`, c.claim, 'a claim name (letters, digits, _ . : / -)');
    if (c.values.length === 0) invalid(scope, `${prop}.claims[${i}].values`, c.values, 'at least one value');
  }
  return {
    name,
    peers,
    methods: [...new Set(rule.methods ?? [])],
    paths,
    ports: [...new Set(rule.ports ?? [])].sort((a, b) => a - b),
    claims: (rule.claims ?? []).map(c => ({ claim: c.claim, values: [...c.values] })),
  };
}

/** A workload deployed in a chart without a namespace lands where the policy's objects do. */
function inNamespace(peer: PeerIntent, namespace: string): PeerIntent {
  return peer.kind === 'chartServiceAccount' ? { kind: 'serviceAccount', name: peer.name, namespace } : peer;
}

/** Istio's path syntax: exact, `prefix*`, `*suffix` or `*`. */
function pathPattern(scope: IConstruct, prop: string, pattern: string): PathPatternIntent {
  if (pattern === '*') return { kind: 'any', pattern, value: '' };
  const stars = pattern.split('*').length - 1;
  if (stars === 0 && pattern.startsWith('/')) return { kind: 'exact', pattern, value: pattern };
  if (stars === 1 && pattern.endsWith('*') && pattern.startsWith('/')) return { kind: 'prefix', pattern, value: pattern.slice(0, -1) };
  if (stars === 1 && pattern.startsWith('*') && pattern.length > 1) return { kind: 'suffix', pattern, value: pattern.slice(1) };
  return invalid(scope, prop, pattern, 'an exact path (/healthz), a prefix (/reviews/*), a suffix (*.js) or *');
}

function jwtIntent(scope: IConstruct, jwt: { issuer: string; jwksUri: string; audiences?: string[]; forwardOriginalToken?: boolean }): JwtIntent {
  if (jwt.issuer.trim() === '') invalid(scope, 'jwt.issuer', jwt.issuer, 'a non-empty issuer');
  if (!/^https?:\/\/[^\s/]+/.test(jwt.jwksUri)) invalid(scope, 'jwt.jwksUri', jwt.jwksUri, 'an http:// or https:// URL');
  return { issuer: jwt.issuer, jwksUri: jwt.jwksUri, audiences: [...(jwt.audiences ?? [])], forwardOriginalToken: jwt.forwardOriginalToken ?? false };
}
