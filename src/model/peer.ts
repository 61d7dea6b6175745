import { IConstruct } from 'constructs';
import { Condition } from './condition';
import { HttpMethod } from './match';
import { PeerIntent } from './security';
import { MeshIdentity } from '../identity';
import { checkDns1123Label, InputError, invalid, show } from '../private/errors';
import { arrayOf, checkProps, checkValue, dns1123Label, nonEmptyString, required } from '../private/validation';

// The checks of a peer's fields, built once.
const NAMESPACE = required(dns1123Label);
const NAMESPACES = required(arrayOf(dns1123Label));
const JWT = { issuer: required(nonEmptyString), subject: required(nonEmptyString) };

/**
 * Who sends a request, for authorization rules. Several peers in one rule mean any of them.
 */
export class Peer {
  /**
   * A workload's identity, e.g. `Peer.identity(productpage.identity)`.
   */
  public static identity(identity: MeshIdentity): Peer {
    if (!(identity instanceof MeshIdentity)) {
      throw new InputError([`Peer.identity: 'identity' (${show(identity)}) must be a MeshIdentity (a workload's identity, or MeshIdentity.serviceAccount())`]);
    }
    return new Peer(identity.namespace !== undefined
      ? { kind: 'serviceAccount', name: identity.serviceAccountName, namespace: identity.namespace }
      : { kind: 'chartServiceAccount', name: identity.serviceAccountName });
  }

  /**
   * The workloads that run as ServiceAccount `name` in `namespace`.
   */
  public static serviceAccount(name: string, namespace: string): Peer {
    return Peer.identity(MeshIdentity.serviceAccount(name, namespace));
  }

  /**
   * Any workload of the mesh in `namespace`.
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   */
  public static namespace(namespace: string): Peer {
    return new Peer({ kind: 'namespace', namespace });
  }

  /**
   * Any workload of the mesh outside all of `namespaces` (the seeds' `deny-admin`: everyone
   * but the `admin` namespace). Istio only; Linkerd authorization is allow-only.
   */
  public static outsideNamespaces(namespaces: string[]): Peer {
    return new Peer({ kind: 'notNamespaces', namespaces: Array.isArray(namespaces) ? [...namespaces] : namespaces });
  }

  /**
   * Any client with a mesh identity (mTLS), whoever it is.
   */
  public static authenticated(): Peer {
    return new Peer({ kind: 'authenticated' });
  }

  /**
   * A request that carries a JWT from `issuer`, validated by the policy's `jwt`; `subject`
   * narrows it to one subject. Istio only.
   * @param subject the token's `sub` claim. @default - any subject
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   */
  public static jwt(issuer: string, subject?: string): Peer {
    return new Peer({ kind: 'jwt', issuer, subject: subject ?? '*' });
  }

  private constructor(private readonly intent: PeerIntent) {}

  /**
   * @internal the validated peer; `prop` names it in errors. A `chartServiceAccount` peer (an
   * identity without a namespace) is left for the caller to place in its policy's namespace.
   */
  public _toIntent(scope: IConstruct, prop: string): PeerIntent {
    const peer = this.intent;
    if (peer.kind === 'namespace') checkValue(scope, prop, peer.namespace, NAMESPACE);
    if (peer.kind === 'notNamespaces') checkValue(scope, prop, peer.namespaces, NAMESPACES);
    if (peer.kind === 'jwt') checkProps(scope, peer, JWT, `${prop}.`);
    switch (peer.kind) {
      case 'namespace':
        checkDns1123Label(scope, prop, peer.namespace);
        return peer;
      case 'notNamespaces':
        if (peer.namespaces.length === 0) invalid(scope, prop, peer.namespaces, 'at least one namespace');
        peer.namespaces.forEach(n => checkDns1123Label(scope, prop, n));
        return { kind: 'notNamespaces', namespaces: [...new Set(peer.namespaces)].sort() };
      case 'jwt':
        if (peer.issuer.trim() === '') invalid(scope, prop, peer.issuer, 'a non-empty issuer');
        return peer;
      default:
        return peer;
    }
  }
}

/**
 * A JWT claim and the values it may have (any of them).
 */
export interface JwtClaim {
  /** The claim, e.g. `role`; nested claims as `a.b`. */
  readonly claim: string;
  /** The accepted values (any of them). */
  readonly values: string[];
}

/**
 * What a request does: its method, path and port. Every list that is set must match (AND); each
 * list matches any of its entries.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export interface AuthorizationOperation {
  /**
   * The HTTP methods (any of them).
   * @default - any method
   */
  readonly methods?: HttpMethod[];

  /**
   * The request paths (any of them), in Istio's syntax: exact (`/healthz`), prefix (`/reviews/*`),
   * suffix (`*.js`, Istio only) or `*`.
   * @default - any path
   */
  readonly paths?: string[];

  /**
   * The ports of the workload (any of them).
   * @default - any port
   */
  readonly ports?: number[];
}

/**
 * One authorization rule: every condition it sets must hold. A condition left out matches
 * anything. `methods`, `paths` and `ports` describe one operation; `to` lists several, for
 * different methods on different paths in one rule.
 */
export interface AuthorizationRule {
  /**
   * The rule's name, a DNS-1123 label, part of the name of per-rule objects (Linkerd).
   * @default `rule-<index>`
   */
  readonly name?: string;

  /**
   * The clients (any of them).
   * @default - any client, including clients without a mesh identity
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   */
  readonly from?: Peer[];

  /**
   * The HTTP methods (any of them). Not with `to`.
   * @default - any method
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
   */
  readonly methods?: HttpMethod[];

  /**
   * The request paths (any of them), in Istio's syntax: exact (`/healthz`), prefix (`/reviews/*`),
   * suffix (`*.js`, Istio only) or `*`. Not with `to`.
   * @default - any path
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
   */
  readonly paths?: string[];

  /**
   * The ports of the workload the rule is about (any of them). Not with `to`.
   * @default - any port
   */
  readonly ports?: number[];

  /**
   * Several operations, any of them: `[{ methods: [GET], paths: ['/api/*'] }, { methods: [POST],
   * paths: ['/api/orders'] }]` lets GET on one path and POST on another through one rule (one
   * `from`, one `when`). Instead of `methods`, `paths` and `ports`, which describe one operation.
   * @default - the operation of `methods`, `paths` and `ports`
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule-To
   */
  readonly to?: AuthorizationOperation[];

  /**
   * Conditions on the request that must all hold: headers, JWT claims, addresses
   * (`Condition.header()`, `.claim()`, `.sourceIp()`, `.negate()`, ...).
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/security/conditions/
   */
  readonly when?: Condition[];

  /**
   * JWT claims that must hold (all of them); needs the policy's `jwt`. Istio only.
   * @default - none
   * @deprecated use `when: [Condition.claim(claim, values)]` (or `Condition.nestedClaim()` for `a.b`)
   * @see https://istio.io/latest/docs/reference/config/security/conditions/
   */
  readonly claims?: JwtClaim[];
}
