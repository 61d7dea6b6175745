/**
 * How a host's routes keep one meaning on every API.
 *
 * The model's meaning is "first match wins", in the order the routes were declared, with the
 * host's matched policies (a `RoutePolicy` with `matches`) as an overlay: a request goes where the
 * first matching routing rule sends it, with the settings of the first matching policy over the
 * rule's own. Istio's VirtualService evaluates routes in order, first match wins, so it gets the
 * overlay as a list (`withPolicies`). Gateway API (and Linkerd's HTTPRoute, which copies it)
 * orders rules by specificity instead (exact path, longest prefix, method, most headers, most
 * query parameters; list order only breaks ties), so a later, more specific rule would win over
 * an earlier one; `forSpecificity` adds the conjunctions of overlapping rules, each with the
 * action of the earliest, placed so that the most specific rule a request matches is always the
 * one first-match would have chosen.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
 */
import { createHash } from 'crypto';
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GrpcMethodIntent, MatchIntent, NamedMatchIntent, RouteIntent, StringMatchIntent } from './intents';
import { extend } from '../private/objects';

/** Returned where the intersection of two conditions cannot be written as one condition. */
export const UNKNOWN = 'unknown';

/** Gateway API: an HTTPRoute holds at most 16 rules, a rule at most 64 matches. */
export const MAX_RULES = 16;
export const MAX_MATCHES = 64;

/** Whether `path` is `prefix` or below it, by whole segments (Gateway API's PathPrefix). */
function within(path: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return p === '' || path === p || path.startsWith(`${p}/`);
}

function fullMatch(pattern: string, value: string): boolean | undefined {
  try {
    // RE2 and JavaScript agree on the patterns routes use; where JavaScript cannot compile one, say so.
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return undefined;
  }
}

/** Requests whose path meets both conditions, as one condition. */
function pathAnd(a?: StringMatchIntent, b?: StringMatchIntent): StringMatchIntent | undefined | typeof UNKNOWN | null {
  if (!a) return b;
  if (!b) return a;
  if (a.kind === b.kind && a.value === b.value) return a;
  const [x, y] = a.kind === 'exact' ? [a, b] : b.kind === 'exact' ? [b, a] : [a, b];
  if (x.kind === 'exact') {
    if (y.kind === 'exact') return null;
    if (y.kind === 'prefix') return within(x.value, y.value) ? x : null;
    const m = fullMatch(y.value, x.value);
    return m === undefined ? UNKNOWN : m ? x : null;
  }
  if (x.kind === 'prefix' && y.kind === 'prefix') {
    return within(x.value, y.value) ? x : within(y.value, x.value) ? y : null;
  }
  return UNKNOWN;
}

/** The same for one named condition (header or query parameter). */
function namedAnd(a: NamedMatchIntent, b: NamedMatchIntent): NamedMatchIntent | typeof UNKNOWN | null {
  if (a.kind === b.kind && a.value === b.value) return a;
  const [x, y] = a.kind === 'exact' ? [a, b] : [b, a];
  if (x.kind === 'exact') {
    if (y.kind === 'exact') return null;
    if (y.kind === 'prefix') return x.value.startsWith(y.value) ? x : null;
    const m = fullMatch(y.value, x.value);
    return m === undefined ? UNKNOWN : m ? x : null;
  }
  if (x.kind === 'prefix' && y.kind === 'prefix') {
    return x.value.startsWith(y.value) ? x : y.value.startsWith(x.value) ? y : null;
  }
  return UNKNOWN;
}

function namedListAnd(a: NamedMatchIntent[], b: NamedMatchIntent[], caseInsensitive: boolean): NamedMatchIntent[] | typeof UNKNOWN | null {
  const key = (n: NamedMatchIntent) => caseInsensitive ? n.name.toLowerCase() : n.name;
  const out = [...a];
  for (const n of b) {
    const i = out.findIndex(o => key(o) === key(n));
    if (i < 0) {
      out.push(n);
      continue;
    }
    const both = namedAnd(out[i], n);
    if (both === null || both === UNKNOWN) return both;
    out[i] = both;
  }
  return out;
}

/** The gRPC calls both conditions take (exact service and method names). */
function grpcAnd(a?: GrpcMethodIntent, b?: GrpcMethodIntent): GrpcMethodIntent | undefined | null {
  if (!a) return b;
  if (!b) return a;
  if (a.service !== b.service) return null;
  if (a.method !== undefined && b.method !== undefined && a.method !== b.method) return null;
  return a.method !== undefined ? a : b;
}

/**
 * The requests that meet both matches, as one match: `null` when none can, `UNKNOWN` when the
 * conditions overlap in a way one match cannot state (two different regular expressions).
 */
export function matchAnd(a: MatchIntent, b: MatchIntent): MatchIntent | typeof UNKNOWN | null {
  if (a.method && b.method && a.method !== b.method) return null;
  const grpcMethod = grpcAnd(a.grpcMethod, b.grpcMethod);
  if (grpcMethod === null) return null;
  const path = pathAnd(a.path, b.path);
  const headers = namedListAnd(a.headers, b.headers, true);
  const queryParams = namedListAnd(a.queryParams, b.queryParams, false);
  if (path === null || headers === null || queryParams === null) return null;
  if (path === UNKNOWN || headers === UNKNOWN || queryParams === UNKNOWN) return UNKNOWN;
  return { path, headers, queryParams, method: a.method ?? b.method, ...(grpcMethod ? { grpcMethod } : {}) };
}

/** A route's matches; a route without matches matches every request. */
function matchesOf(r: { readonly matches: MatchIntent[] }): MatchIntent[] {
  return r.matches.length > 0 ? r.matches : [{ headers: [], queryParams: [] }];
}

/** Every request both routes take, as matches; `UNKNOWN` when that cannot be written down. */
function routesAnd(a: MatchIntent[], b: MatchIntent[]): MatchIntent[] | typeof UNKNOWN {
  const out: MatchIntent[] = [];
  for (const x of a) {
    for (const y of b) {
      const both = matchAnd(x, y);
      if (both === UNKNOWN) return UNKNOWN;
      if (both && !out.some(o => sameMatch(o, both))) out.push(both);
    }
  }
  return out;
}

function sameMatch(a: MatchIntent, b: MatchIntent): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(m: MatchIntent): unknown {
  const named = (l: NamedMatchIntent[], lower: boolean) => l.map(n => [lower ? n.name.toLowerCase() : n.name, n.kind, n.value]).sort();
  return [m.path?.kind, m.path?.value, m.method, named(m.headers, true), named(m.queryParams, false), m.grpcMethod?.service, m.grpcMethod?.method];
}

/** A DNS-1123 label for a derived route, unique as long as its parts are. */
function derivedName(...parts: string[]): string {
  const name = parts.join('-');
  return name.length <= 63 ? name : `${name.slice(0, 50)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/**
 * The first-match list of a host: each routing rule, preceded by its conjunction with each
 * matched policy (in declared order). A conjunction sends where the rule sends, mirrors what it
 * mirrors, and takes the policy's retries, timeout and fault over the rule's own; a policy never
 * changes where requests go. `throws` names both constructs where a conjunction cannot be
 * written as matches.
 */
export function withPolicies(routing: RouteIntent[], policies: RouteIntent[]): RouteIntent[] {
  if (policies.length === 0) return routing;
  const out: RouteIntent[] = [];
  for (const r of routing) {
    for (const p of policies) {
      const matches = routesAnd(matchesOf(r), p.matches);
      if (matches === UNKNOWN) {
        throw new Error(`${p.source.node.path}: the matches of policy '${p.name}' and of route '${r.name}' (${r.source.node.path}) overlap in a way one match `
          + 'cannot state (two different regular expressions on one path, header or query parameter); use exact or prefix conditions in one of them');
      }
      if (matches.length === 0) continue;
      out.push({
        source: p.source,
        name: r.matches.length === 0 ? p.name : derivedName(r.name, p.name),
        description: p.description ?? p.name,
        matches,
        backends: r.backends,
        mirror: r.mirror,
        retries: p.retries ?? r.retries,
        timeout: p.timeout ?? r.timeout,
        fault: p.fault ?? r.fault,
      });
    }
    out.push(r);
  }
  return out;
}

/** A rule of an ordered list: its matches (none: every request), a name and who declared it. */
export interface OrderedRule {
  readonly matches: MatchIntent[];
  readonly name?: string;
}

/** How `forSpecificity` reads and derives the rules of one API. */
export interface SpecificityOptions<T extends OrderedRule> {
  /** the API, in errors */
  readonly describe: string;
  /** what the rule does to the requests it takes (everything but matches and name), as a key */
  readonly action: (r: T) => string;
  /** the construct that declared the rule, named in errors */
  readonly source: (r: T) => IConstruct;
  /** the rule `r` for the requests `matches` (a narrower set); default: the same rule with those matches */
  readonly narrow?: (r: T, matches: MatchIntent[]) => T;
  /** the route kind, in errors; default `HTTPRoute` */
  readonly kind?: string;
  /** the most matches a rule holds; default `MAX_MATCHES` */
  readonly maxMatches?: number;
}

/**
 * Gateway API leaves the precedence of a `RegularExpression` path to the implementation (Istio
 * ranks it below every prefix, `/` included), so a rule whose path is a regex cannot be relied on
 * to win over an overlapping rule with another path, whatever its list position.
 */
function regexPrecedence<T extends OrderedRule>(earlier: T, later: T, both: MatchIntent[], o: SpecificityOptions<T>): void {
  for (const c of both) {
    if (c.path?.kind !== 'regex') continue;
    for (const m of matchesOf(later)) {
      if (m.path?.kind === 'regex' && m.path.value === c.path.value) continue;
      throw new Error(`${o.source(earlier).node.path}: ${o.describe} orders rules by specificity and leaves the precedence of a regular-expression path to `
        + `the implementation (Istio ranks it below every prefix), so ${ruleName(earlier)} (path ${JSON.stringify(c.path.value)}) cannot be kept ahead `
        + `of the overlapping ${ruleName(later)} (${o.source(later).node.path}): use an exact or prefix path, or Istio's own API (first match wins)`);
    }
  }
}

function ruleName(r: OrderedRule): string {
  return r.name !== undefined ? `route '${r.name}'` : 'a rule';
}

function durationKey(d?: Duration): number | undefined {
  return d?.toMilliseconds();
}

/** What a route does to the requests it takes (everything but its matches and names). */
function actionKey(r: RouteIntent): string {
  return JSON.stringify({
    backends: r.backends,
    mirror: r.mirror,
    timeout: durationKey(r.timeout),
    retries: r.retries ? {
      ...r.retries,
      perTryTimeout: durationKey(r.retries.perTryTimeout),
      budget: r.retries.budget ? { ...r.retries.budget, ttl: durationKey(r.retries.budget.ttl) } : undefined,
    } : undefined,
    fault: r.fault ? {
      delay: r.fault.delay ? { ...r.fault.delay, fixedDelay: durationKey(r.fault.delay.fixedDelay) } : undefined,
      abort: r.fault.abort,
    } : undefined,
  });
}

/**
 * A first-match list as rules for an API that orders by specificity, routing every request the
 * same way. For every set of two or more overlapping rules with different actions, the rule for
 * their conjunction (the earliest rule's action) comes first, bigger sets before smaller ones: a
 * request that meets a set of rules meets its conjunction, which is at least as specific as
 * anything else it meets and listed before anything as specific. Rules with the matches of a rule
 * listed earlier are dropped (they could never win).
 */
export function forSpecificity<T extends OrderedRule>(rules: T[], o: SpecificityOptions<T>): T[] {
  const actions = rules.map(o.action);
  const conjunctions: { members: number[]; matches: MatchIntent[] }[] = [];
  // Grow sets in index order, keeping only those whose rules all overlap.
  const grow = (members: number[], matches: MatchIntent[]) => {
    for (let j = members[members.length - 1] + 1; j < rules.length; j++) {
      const both = routesAnd(matches, matchesOf(rules[j]));
      if (both === UNKNOWN) {
        if (actions[j] === actions[members[0]]) continue;
        const [a, b] = [rules[members[0]], rules[j]];
        throw new Error(`${o.source(b).node.path}: ${o.describe} orders rules by specificity, not by list order, and cannot keep ${ruleName(a)} `
          + `(${o.source(a).node.path}) ahead of ${ruleName(b)}: their regular expressions may overlap in ways one match cannot state; `
          + 'use exact or prefix conditions in one of them, or Istio\'s own API (first match wins)');
      }
      if (both.length === 0) continue;
      const next = [...members, j];
      if (actions[j] !== actions[members[0]]) regexPrecedence(rules[members[0]], rules[j], both, o);
      if (next.some(k => actions[k] !== actions[next[0]])) conjunctions.push({ members: next, matches: both });
      grow(next, both);
    }
  };
  rules.forEach((r, i) => grow([i], matchesOf(r)));
  conjunctions.sort((a, b) => b.members.length - a.members.length || a.members[0] - b.members[0]
    || a.members.join(',').localeCompare(b.members.join(',')));
  const sameMatches = (a: MatchIntent[], b: MatchIntent[]) => a.length === b.length && a.every((m, i) => sameMatch(m, b[i]));
  const narrow = o.narrow ?? ((r: T, matches: MatchIntent[]) => extend(r, { matches }));
  const candidates: T[] = [
    // A conjunction that is its earliest rule (whose conditions imply the others') is that rule.
    ...conjunctions.map((c, k) => {
      const first = rules[c.members[0]];
      if (sameMatches(c.matches, matchesOf(first))) return first;
      const derived = narrow(first, c.matches);
      return first.name !== undefined ? extend(derived, { name: derivedName(first.name, `and${k + 1}`) }) : derived;
    }),
    ...rules,
  ];
  const seen: MatchIntent[][] = [];
  const out: T[] = [];
  for (const r of candidates) {
    const ms = matchesOf(r);
    if (seen.some(s => sameMatches(s, ms))) continue;
    seen.push(ms);
    out.push(r);
  }
  const maxMatches = o.maxMatches ?? MAX_MATCHES;
  if (out.length > MAX_RULES || out.some(r => r.matches.length > maxMatches)) {
    throw new Error(`${o.source(rules[rules.length - 1]).node.path}: ${o.describe} orders rules by specificity; keeping the declared order of `
      + `these routes needs ${out.length} rules (one per overlap), more than ${o.kind === undefined ? 'an HTTPRoute' : `a ${o.kind}`} holds (${MAX_RULES} rules of ${maxMatches} matches): `
      + 'make fewer routes overlap, or use Istio\'s own API (first match wins)');
  }
  return out;
}

/** The options for a host's routes. */
export function routeSpecificity(describe: string, more: Pick<SpecificityOptions<RouteIntent>, 'kind' | 'maxMatches'> = {}): SpecificityOptions<RouteIntent> {
  return { describe, action: actionKey, source: r => r.source, ...more };
}
