import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { WorkloadSelector } from '../identity';
import { IMesh } from '../mesh';
import { Condition } from '../model/condition';
import { HttpMethod } from '../model/match';
import { AuthorizationOperation, AuthorizationRule, Peer } from '../model/peer';
import {
  AuthorizationIntent, AuthorizationRuleIntent, ConditionIntent, JwtIntent, OperationIntent, PathPatternIntent, PeerIntent, readsJwt,
  WorkloadRefIntent,
} from '../model/security';
import { valuePattern } from '../private/authz-patterns';
import { checkDns1123Label, checkPort, invalid, throwUnsupported } from '../private/errors';
import {
  arrayOf, boolean, Check, checkProps, fieldsOnce, dns1123Label, enumOf, headerName, instanceOf, meshRef, nonEmptyString, object, optional,
  portNumber, queryParamName, required, string,
} from '../private/validation';

const OPERATION = {
  methods: optional(arrayOf(enumOf(HttpMethod, 'HttpMethod'), { min: 1 })),
  paths: optional(arrayOf(nonEmptyString, { min: 1 })),
  ports: optional(arrayOf(portNumber, { min: 1 })),
};

const RULES: Check = arrayOf(object({
  name: optional(dns1123Label),
  from: optional(arrayOf(instanceOf(Peer, 'Peer (Peer.identity(), .serviceAccount(), .namespace(), ...)'), { min: 1 })),
  ...OPERATION,
  to: optional(arrayOf(object(OPERATION), { min: 1 })),
  when: optional(arrayOf(instanceOf(Condition, 'Condition (Condition.header(), .claim(), .sourceIp(), .negate(), ...)'), { min: 1 })),
  claims: optional(arrayOf(object({
    claim: required(string({ pattern: /^[A-Za-z0-9_.:/-]+$/, rule: 'a claim name (letters, digits, _ . : / -)' })),
    values: required(arrayOf(nonEmptyString)),
  }), { min: 1 })),
}));

/**
 * Where a JWT is read from: a request header, and the prefix stripped before decoding.
 */
export interface JwtHeaderLocation {
  /**
   * The header, e.g. `x-goog-iap-jwt-assertion`.
   */
  readonly name: string;

  /**
   * What precedes the token in the header, stripped before decoding, e.g. `Bearer `.
   * @default - the whole value is the token
   */
  readonly prefix?: string;
}

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

  /**
   * A header to write the verified token's payload to (base64url-encoded JSON), for the
   * workload to read its claims without decoding the token, e.g. the seeds' `x-jwt-payload`.
   * The proxy writes it only for a request with a valid token: a client can send the header
   * itself on a request that has none, so the workload should trust it only where a rule
   * requires the token (`Peer.jwt()`, a claim condition).
   * @default - the payload is not forwarded
   * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
   */
  readonly outputPayloadToHeader?: string;

  /**
   * Headers the token is read from, instead of `Authorization: Bearer <token>`.
   * @default - `Authorization` (prefix `Bearer `), or the `access_token` query parameter
   * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
   */
  readonly fromHeaders?: JwtHeaderLocation[];

  /**
   * Query parameters the token is read from, instead of the defaults.
   * @default - as `fromHeaders`
   * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
   */
  readonly fromParams?: string[];
}

/** The checks of MeshAuthorizationProps. */
const PROPS = fieldsOnce(() => ({
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
    outputPayloadToHeader: optional(headerName),
    fromHeaders: optional(arrayOf(object({
      name: required(headerName),
      prefix: optional(string({ nonEmpty: true, pattern: /^[^\u0000-\u001f\u007f]+$/, rule: 'a non-empty string without control characters' })),
    }), { min: 1 })),
    fromParams: optional(arrayOf(queryParamName, { min: 1 })),
  })),
}));

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
   * A JWT issuer whose tokens are validated (Istio `RequestAuthentication`). A request with an
   * invalid token is refused; a token is required only by rules with `Peer.jwt()` or conditions
   * on it (`Condition.claim()`, `.requestPrincipal()`, ...).
   * @default - no JWT validation
   * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
   */
  readonly jwt?: JwtIssuer;
}

/**
 * Zero-trust authorization for a namespace or a workload: deny by default, then allow by client
 * identity (service account, namespace), HTTP method and path, and conditions on headers, JWT
 * claims and addresses; explicit deny rules; optional JWT validation.
 * Istio: AuthorizationPolicy (+ RequestAuthentication). Linkerd: a Server per port, then per rule
 * a MeshTLSAuthentication and/or NetworkAuthentication, an AuthorizationPolicy and, for method,
 * path and header rules, a policy.linkerd.io HTTPRoute.
 */
export class MeshAuthorization extends Construct {
  /** The namespace the policy protects. */
  public readonly namespace: string;
  /** The base name of the policy's objects. */
  public readonly policyName: string;

  constructor(scope: Construct, id: string, props: MeshAuthorizationProps) {
    super(scope, id);
    checkProps(this, props, PROPS());
    const name = props.name ?? id;
    checkDns1123Label(this, 'name', name);
    const namespace = props.namespace ?? props.workload?.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) invalid(this, 'namespace', namespace, 'set, or the workload\'s or the chart\'s namespace');
    checkDns1123Label(this, 'namespace', namespace);
    if (props.workload?.namespace !== undefined && props.workload.namespace !== namespace) {
      invalid(this, 'workload.namespace', props.workload.namespace, `the policy's namespace (${namespace})`);
    }
    const jwt = props.jwt ? jwtIntent(this, props.jwt) : undefined;
    const allow = (props.allow ?? []).map((r, i) => ruleIntent(this, `allow[${i}]`, r, i, namespace, jwt));
    const deny = (props.deny ?? []).map((r, i) => ruleIntent(this, `deny[${i}]`, r, i + allow.length, namespace, jwt));
    const names = new Set<string>();
    for (const r of [...allow, ...deny]) {
      if (names.has(r.name)) invalid(this, 'rule name', r.name, 'unique in the policy');
      names.add(r.name);
    }
    const denyByDefault = props.denyByDefault ?? true;
    if (!denyByDefault && allow.length === 0 && deny.length === 0) {
      invalid(this, 'allow/deny', [], 'at least one rule when denyByDefault is false (the policy would do nothing)');
    }
    for (const r of [...allow, ...deny]) {
      for (const p of r.peers) {
        if (p.kind === 'jwt' && p.issuer !== jwt?.issuer) {
          invalid(this, `rule ${r.name}: Peer.jwt issuer`, p.issuer, `the issuer of 'jwt' (${jwt?.issuer ?? 'not set'}), which validates the token`);
        }
      }
    }
    const workload: WorkloadRefIntent | undefined = props.workload
      ? { namespace, labels: props.workload.podLabels, ports: props.workload.ports, service: props.workload._service } : undefined;
    if (workload) {
      for (const r of [...allow, ...deny]) {
        const ports = [...new Set(r.operations.flatMap(o => o.ports))].sort((a, b) => a - b);
        const unknown = workload.ports.length > 0 ? ports.filter(p => !workload.ports.includes(p)) : [];
        if (unknown.length > 0) invalid(this, `rule ${r.name}: ports`, ports, `among the workload's ports (${workload.ports.join(', ')})`);
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

function ruleIntent(scope: IConstruct, prop: string, rule: AuthorizationRule, index: number, namespace: string,
  jwt: JwtIntent | undefined): AuthorizationRuleIntent {
  const name = rule.name ?? `rule-${index}`;
  checkDns1123Label(scope, `${prop}.name`, name);
  const peers = (rule.from ?? []).map((p, i) => inNamespace(p._toIntent(scope, `${prop}.from[${i}]`), namespace));
  const single = isSet(rule.methods) || isSet(rule.paths) || isSet(rule.ports);
  const to = rule.to ?? undefined;
  if (to !== undefined && single) {
    invalid(scope, `${prop}.to`, to, 'set without methods, paths or ports (they are the rule\'s one operation; list it in \'to\' instead)');
  }
  const operations = to !== undefined
    ? to.map((o, i) => operationIntent(scope, `${prop}.to[${i}]`, o, true))
    : single ? [operationIntent(scope, prop, rule, false)] : [];
  const claims = (rule.claims ?? []).map((c, i): ConditionIntent => {
    if (!/^[A-Za-z0-9_.:/-]+$/.test(c.claim)) invalid(scope, `${prop}.claims[${i}].claim`, c.claim, 'a claim name (letters, digits, _ . : / -)');
    if (c.values.length === 0) invalid(scope, `${prop}.claims[${i}].values`, c.values, 'at least one value');
    if (!jwt) invalid(scope, `rule ${name}: claims`, rule.claims, 'used with \'jwt\', which validates the token');
    const values = c.values.map((v, k) => valuePattern(scope, `${prop}.claims[${i}].values[${k}]`, v));
    return {
      kind: 'claim',
      path: c.claim.split('.'),
      values,
      negated: false,
      prop: `${prop}.claims[${i}]`,
      display: `{ claim: ${JSON.stringify(c.claim)}, values: ${JSON.stringify(c.values)} }`,
    };
  });
  const when = (rule.when ?? []).map((c, i) => {
    const condition = c._toIntent(scope, `${prop}.when[${i}]`);
    if (readsJwt(condition) && !jwt) {
      invalid(scope, condition.prop, condition.display, 'used with \'jwt\': only a token the policy validates has claims, a principal, audiences and a presenter');
    }
    if (condition.kind === 'requestPrincipal' && condition.path[0] !== jwt?.issuer) {
      invalid(scope, `${condition.prop}.issuer`, condition.path[0], `the issuer of 'jwt' (${jwt?.issuer}), which validates the token`);
    }
    return condition;
  });
  return { name, peers, operations, conditions: [...claims, ...when] };
}

/** Whether an optional prop was given (jsii passes `null` for one left out). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** One operation; `inTo`: an entry of `to`, which must say something (an empty one would match every request). */
function operationIntent(scope: IConstruct, prop: string, op: AuthorizationOperation, inTo: boolean): OperationIntent {
  if (inTo && !isSet(op.methods) && !isSet(op.paths) && !isSet(op.ports)) {
    invalid(scope, prop, op, 'at least one of methods, paths or ports (an empty operation matches every request)');
  }
  (op.ports ?? []).forEach((p, i) => checkPort(scope, `${prop}.ports[${i}]`, p));
  return {
    methods: [...new Set(op.methods ?? [])],
    paths: (op.paths ?? []).map((p, i) => pathPattern(scope, `${prop}.paths[${i}]`, p)),
    ports: [...new Set(op.ports ?? [])].sort((a, b) => a - b),
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

function jwtIntent(scope: IConstruct, jwt: JwtIssuer): JwtIntent {
  if (jwt.issuer.trim() === '') invalid(scope, 'jwt.issuer', jwt.issuer, 'a non-empty issuer');
  if (!/^https?:\/\/[^\s/]+/.test(jwt.jwksUri)) invalid(scope, 'jwt.jwksUri', jwt.jwksUri, 'an http:// or https:// URL');
  const fromHeaders = (jwt.fromHeaders ?? []).map(h => ({ name: h.name, prefix: h.prefix ?? undefined }));
  const seen = fromHeaders.map(h => h.name.toLowerCase());
  seen.forEach((h, i) => {
    if (seen.indexOf(h) !== i) invalid(scope, `jwt.fromHeaders[${i}].name`, fromHeaders[i].name, 'named once (header names are case-insensitive)');
  });
  const output = jwt.outputPayloadToHeader ?? undefined;
  // Without fromHeaders, the token comes in Authorization (Envoy jwt_authn's default location).
  if (output !== undefined && (seen.length > 0 ? seen : ['authorization']).includes(output.toLowerCase())) {
    invalid(scope, 'jwt.outputPayloadToHeader', output, 'a header the token is not read from (the proxy would overwrite the token with its payload)');
  }
  return {
    issuer: jwt.issuer,
    jwksUri: jwt.jwksUri,
    audiences: [...(jwt.audiences ?? [])],
    forwardOriginalToken: jwt.forwardOriginalToken ?? false,
    outputPayloadToHeader: output,
    fromHeaders,
    fromParams: [...new Set(jwt.fromParams ?? [])],
  };
}
