import { isIP } from 'net';
import { IConstruct } from 'constructs';
import { ConditionIntent, ConditionKind, PatternIntent } from './security';
import { valuePattern } from '../private/authz-patterns';
import { invalid, show } from '../private/errors';
import { arrayOf, checkProps, checkValue, headerName, instanceOf, nonEmptyString, optional, required, string } from '../private/validation';

/** What a factory recorded, validated only when a policy uses it (errors then name the construct). */
type Spec =
  | { readonly kind: 'header'; readonly name: unknown; readonly values: unknown }
  | { readonly kind: 'claim'; readonly claim: unknown; readonly values: unknown }
  | { readonly kind: 'nestedClaim'; readonly path: unknown; readonly values: unknown }
  | { readonly kind: 'requestPrincipal'; readonly issuer: unknown; readonly subject: unknown }
  | { readonly kind: 'audience' | 'presenter'; readonly values: unknown }
  | { readonly kind: 'sourceIp' | 'remoteIp'; readonly addresses: unknown }
  | { readonly kind: 'not'; readonly condition: unknown };

/**
 * A condition of an authorization rule (Istio's `when`): every condition of a rule must hold.
 * A condition with several values holds when the attribute matches any of them; values are
 * exact, a prefix (`abc*`), a suffix (`*abc`) or `*` (any value: for a header, that it is
 * present). `Condition.negate()` turns a condition into "matches none of the values" (Istio's
 * `notValues`), which also holds when the attribute is absent.
 *
 * Conditions on the JWT (`claim`, `nestedClaim`, `requestPrincipal`, `audience`, `presenter`)
 * need the policy's `jwt`, which validates the token. Istio evaluates every condition but
 * `sourceIp` only on HTTP traffic. Linkerd: `header` (an HTTPRoute header match) and
 * `sourceIp` (a NetworkAuthentication); the others are capability errors.
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export class Condition {
  /**
   * The request header `name` has one of `values` (`request.headers[<name>]`), e.g. the seeds'
   * `Condition.header('x-api-version', ['v1', 'v2'])`; `['*']`: the header is present.
   * Header names are case-insensitive.
   */
  public static header(name: string, values: string[]): Condition {
    return new Condition({ kind: 'header', name, values });
  }

  /**
   * The JWT claim `claim` has one of `values` (`request.auth.claims[<claim>]`), e.g. the seeds'
   * `Condition.claim('role', ['admin', 'editor'])`. The name is taken as written, dots and
   * slashes included (`https://example.com/roles`); a claim that is a list of strings (`groups`)
   * matches when one of its items does. Needs the policy's `jwt`.
   */
  public static claim(claim: string, values: string[]): Condition {
    return new Condition({ kind: 'claim', claim, values });
  }

  /**
   * A claim nested in other claims, outermost first: `['realm_access', 'roles']` is
   * `request.auth.claims[realm_access][roles]`. Needs the policy's `jwt`.
   */
  public static nestedClaim(path: string[], values: string[]): Condition {
    return new Condition({ kind: 'nestedClaim', path, values });
  }

  /**
   * The request carries a JWT from `issuer` (`request.auth.principal`, `<iss>/<sub>`), AND-ed
   * with the rule's peers (where `Peer.jwt()` is one client among others): "productpage's
   * identity, with an end-user token". Needs the policy's `jwt` with this issuer.
   * @param subject the `sub` claim: exact, a prefix (`user-*`) or `*`. @default - any subject
   */
  public static requestPrincipal(issuer: string, subject?: string): Condition {
    return new Condition({ kind: 'requestPrincipal', issuer, subject: subject ?? '*' });
  }

  /** The JWT's audiences (`aud`) include one of `values` (`request.auth.audiences`). Needs the policy's `jwt`. */
  public static audience(values: string[]): Condition {
    return new Condition({ kind: 'audience', values });
  }

  /** The JWT's authorized presenter (`azp`) is one of `values` (`request.auth.presenter`). Needs the policy's `jwt`. */
  public static presenter(values: string[]): Condition {
    return new Condition({ kind: 'presenter', values });
  }

  /**
   * The connection comes from one of `addresses` (`source.ip`): IP addresses or CIDR ranges
   * (`10.0.0.0/8`). The only condition ztunnel enforces (Istio ambient without a waypoint).
   */
  public static sourceIp(addresses: string[]): Condition {
    return new Condition({ kind: 'sourceIp', addresses });
  }

  /**
   * The original client is one of `addresses` (`remote.ip`): read from X-Forwarded-For or the
   * PROXY protocol as far as the proxy is configured to trust them (`numTrustedProxies`), else
   * the connection's peer. For clients behind an ingress gateway.
   */
  public static remoteIp(addresses: string[]): Condition {
    return new Condition({ kind: 'remoteIp', addresses });
  }

  /**
   * The attribute matches none of the condition's values (Istio's `notValues`); an absent
   * header or claim matches none. `Condition.negate(Condition.header('x-env', ['prod']))`.
   */
  public static negate(condition: Condition): Condition {
    return new Condition({ kind: 'not', condition });
  }

  private constructor(private readonly spec: Spec) {}

  /** @internal the validated condition; `prop` names it in errors (e.g. `allow[0].when[1]`). */
  public _toIntent(scope: IConstruct, prop: string): ConditionIntent {
    const spec = this.spec;
    if (spec.kind === 'not') {
      checkValue(scope, prop, spec.condition, required(instanceOf(Condition, 'Condition (Condition.header(), .claim(), ...)')));
      const inner = (spec.condition as Condition)._toIntent(scope, prop);
      return { ...inner, negated: !inner.negated, display: `Condition.negate(${inner.display})` };
    }
    const intent = (kind: ConditionKind, path: string[], values: PatternIntent[], display: string): ConditionIntent =>
      ({ kind, path, values, negated: false, prop, display });
    switch (spec.kind) {
      case 'header': {
        checkProps(scope, spec, { name: required(headerName), values: required(arrayOf(nonEmptyString, { min: 1 })) }, `${prop}.`);
        const name = spec.name as string;
        (spec.values as string[]).forEach((v, i) => {
          if (v.trim() !== v) invalid(scope, `${prop}.values[${i}]`, v, 'without leading or trailing white space (proxies strip it from header values, so it would never match)');
        });
        const values = patterns(scope, prop, spec.values as string[]);
        return intent('header', [name], values, `Condition.header(${show(name)}, ${show(spec.values)})`);
      }
      case 'claim': {
        checkProps(scope, spec, { claim: required(claimName), values: required(arrayOf(nonEmptyString, { min: 1 })) }, `${prop}.`);
        return intent('claim', [spec.claim as string], patterns(scope, prop, spec.values as string[]),
          `Condition.claim(${show(spec.claim)}, ${show(spec.values)})`);
      }
      case 'nestedClaim': {
        checkProps(scope, spec, { path: required(arrayOf(claimName, { min: 1 })), values: required(arrayOf(nonEmptyString, { min: 1 })) }, `${prop}.`);
        return intent('claim', [...spec.path as string[]], patterns(scope, prop, spec.values as string[]),
          `Condition.nestedClaim(${show(spec.path)}, ${show(spec.values)})`);
      }
      case 'requestPrincipal': {
        checkProps(scope, spec, {
          issuer: required(string({ nonEmpty: true, pattern: /^[^*\s\u0000-\u001f\u007f]+$/, rule: 'an issuer (no white space, no *)' })),
          subject: optional(string({
            nonEmpty: true,
            pattern: /^(\*|[^*/\s\u0000-\u001f\u007f]+\*?)$/,
            rule: 'a subject: exact, a prefix (user-*) or * (no white space, no /: Istio splits <iss>/<sub> at the last /)',
          })),
        }, `${prop}.`);
        const value = `${spec.issuer}/${spec.subject}`;
        return intent('requestPrincipal', [spec.issuer as string, spec.subject as string], [valuePattern(scope, prop, value)],
          `Condition.requestPrincipal(${show(spec.issuer)}, ${show(spec.subject)})`);
      }
      case 'audience':
      case 'presenter': {
        checkProps(scope, spec, { values: required(arrayOf(nonEmptyString, { min: 1 })) }, `${prop}.`);
        return intent(spec.kind, [], patterns(scope, prop, spec.values as string[]), `Condition.${spec.kind}(${show(spec.values)})`);
      }
      case 'sourceIp':
      case 'remoteIp': {
        checkProps(scope, spec, { addresses: required(arrayOf(ipOrCidr, { min: 1 })) }, `${prop}.`);
        const values = unique(spec.addresses as string[]).map(v => ({ kind: 'exact' as const, pattern: v, value: v }));
        return intent(spec.kind, [], values, `Condition.${spec.kind}(${show(spec.addresses)})`);
      }
    }
  }
}

/** A claim name as Istio's `request.auth.claims[a][b]` key can carry it: no brackets. */
const claimName = string({
  nonEmpty: true,
  max: 256,
  pattern: /^[^[\]\s\u0000-\u001f\u007f]+$/,
  rule: 'a claim name (no white space, no [ or ]: Istio reads the key request.auth.claims[<name>])',
});

/** An IPv4 or IPv6 address, or a CIDR range of one. */
const ipOrCidr = string({
  pattern: {
    test: (v: string) => {
      const [address, bits, ...rest] = v.split('/');
      const family = isIP(address);
      if (family === 0 || rest.length > 0) return false;
      if (bits === undefined) return true;
      return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
    },
  } as unknown as RegExp,
  rule: 'an IP address or a CIDR range (10.1.2.3, 10.0.0.0/8, fd00::/8)',
});

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Each value checked where it was written; repeats dropped (they change nothing). */
function patterns(scope: IConstruct, prop: string, values: string[]): PatternIntent[] {
  const checked = values.map((v, i) => valuePattern(scope, `${prop}.values[${i}]`, v));
  return checked.filter((p, i) => checked.findIndex(q => q.pattern === p.pattern) === i);
}
