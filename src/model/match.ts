import { IConstruct } from 'constructs';
import { GrpcMethodIntent, MatchIntent, NamedMatchIntent, StringMatchIntent } from './intents';
import { invalid } from '../private/errors';
import { checkHeaderName } from '../private/match';
import { absolutePath, arrayOf, Check, checkProps, checkValue, enumOf, fieldsOnce, headerName, instanceOf, nonEmptyString, optional, queryParamName, required, string } from '../private/validation';

/**
 * HTTP methods for request matching.
 */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
  CONNECT = 'CONNECT',
  OPTIONS = 'OPTIONS',
  TRACE = 'TRACE',
  PATCH = 'PATCH',
}

/**
 * A match on the request path. A prefix matches whole path segments on every provider, as Gateway
 * API's `PathPrefix` does: `/api` matches `/api` and `/api/x`, not `/apis` (on Istio's own API it
 * is rendered as `exact: /api` or `prefix: /api/`, since Istio's `prefix` is a string prefix).
 */
export class PathMatch {
  /** The path equals `path`. */
  public static exact(path: string): PathMatch {
    return new PathMatch({ kind: 'exact', value: path });
  }

  /** The path starts with `prefix`. */
  public static prefix(prefix: string): PathMatch {
    return new PathMatch({ kind: 'prefix', value: prefix });
  }

  /** The path matches the RE2 regular expression `pattern`. */
  public static regex(pattern: string): PathMatch {
    return new PathMatch({ kind: 'regex', value: pattern });
  }

  private constructor(private readonly intent: StringMatchIntent) {}

  /** @internal the validated match; `prop` names it in errors */
  public _toIntent(scope: IConstruct, prop: string): StringMatchIntent {
    const { kind, value } = this.intent;
    checkValue(scope, prop, value, kind === 'regex' ? REQUIRED_PATTERN : REQUIRED_PATH);
    if (kind !== 'regex' && !value.startsWith('/')) invalid(scope, prop, value, 'a path that starts with \'/\'');
    return this.intent;
  }
}

/**
 * A match on one request header.
 */
export class HeaderMatch {
  /** The header `name` equals `value`. */
  public static exact(name: string, value: string): HeaderMatch {
    return new HeaderMatch({ kind: 'exact', name, value });
  }

  /** The header `name` starts with `prefix` (Istio only; use `regex` for Gateway API). */
  public static prefix(name: string, prefix: string): HeaderMatch {
    return new HeaderMatch({ kind: 'prefix', name, value: prefix });
  }

  /** The header `name` matches the RE2 regular expression `pattern`. */
  public static regex(name: string, pattern: string): HeaderMatch {
    return new HeaderMatch({ kind: 'regex', name, value: pattern });
  }

  private constructor(private readonly intent: NamedMatchIntent) {}

  /** @internal the validated match; `prop` names it in errors */
  public _toIntent(scope: IConstruct, prop: string): NamedMatchIntent {
    return checkNamed(scope, prop, this.intent, true);
  }
}

/**
 * A match on one query parameter.
 */
export class QueryParamMatch {
  /** The query parameter `name` equals `value`. */
  public static exact(name: string, value: string): QueryParamMatch {
    return new QueryParamMatch({ kind: 'exact', name, value });
  }

  /** The query parameter `name` matches the RE2 regular expression `pattern`. */
  public static regex(name: string, pattern: string): QueryParamMatch {
    return new QueryParamMatch({ kind: 'regex', name, value: pattern });
  }

  private constructor(private readonly intent: NamedMatchIntent) {}

  /** @internal the validated match; `prop` names it in errors */
  public _toIntent(scope: IConstruct, prop: string): NamedMatchIntent {
    return checkNamed(scope, prop, this.intent, false);
  }
}

/**
 * A match on the gRPC service and method of a request (a gRPC host only): Gateway API's GRPCRoute
 * `method` match; on Istio's own API the request path `/<service>/<method>`.
 */
export class GrpcMethodMatch {
  /** Every method of the fully qualified `service`, e.g. `helloworld.Greeter`. */
  public static service(service: string): GrpcMethodMatch {
    return new GrpcMethodMatch({ service }, false);
  }

  /** The method `method` of the fully qualified `service`, e.g. (`helloworld.Greeter`, `SayHello`). */
  public static method(service: string, method: string): GrpcMethodMatch {
    return new GrpcMethodMatch({ service, method }, true);
  }

  private constructor(private readonly intent: GrpcMethodIntent, private readonly withMethod: boolean) {}

  /** @internal the validated match; `prop` names it in errors */
  public _toIntent(scope: IConstruct, prop: string): GrpcMethodIntent {
    const { service, method } = this.intent;
    // GRPCRoute's CEL rules for an Exact match (apis/v1/grpcroute_types.go GRPCMethodMatch).
    checkProps(scope, this.intent, {
      service: required(string({ max: 1024, pattern: /^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/, rule: 'a fully qualified gRPC service name, e.g. "helloworld.Greeter"' })),
      method: (this.withMethod ? required : optional)(string({ max: 1024, pattern: /^[A-Za-z_][A-Za-z_0-9]*$/, rule: 'a gRPC method name, e.g. "SayHello"' })),
    }, `${prop}.`);
    return method == null ? { service } : { service, method };
  }
}

/**
 * Conditions of a request match; all that are set must hold.
 */
export interface RequestMatchOptions {
  /**
   * Match on the path.
   * @default - any path
   */
  readonly path?: PathMatch;

  /**
   * Match on headers (all must match).
   * @default - no header condition
   */
  readonly headers?: HeaderMatch[];

  /**
   * Match on query parameters (all must match).
   * @default - no query parameter condition
   */
  readonly queryParams?: QueryParamMatch[];

  /**
   * Match on the HTTP method.
   * @default - any method
   */
  readonly method?: HttpMethod;

  /**
   * Match on the gRPC service and method (on a gRPC host, with headers only).
   * @default - any gRPC method
   */
  readonly grpcMethod?: GrpcMethodMatch;
}

/**
 * Which requests a route applies to. Several `RequestMatch`es on one route are alternatives (OR);
 * the conditions inside one are all required (AND).
 */
export class RequestMatch {
  /** Requests whose header `name` equals `value` (the classic `end-user: jason` override). */
  public static header(name: string, value: string): RequestMatch {
    return new RequestMatch({ headers: [HeaderMatch.exact(name, value)] });
  }

  /**
   * Requests that carry the cookie `name=value`. Rendered as a regular expression on the
   * `cookie` header, which every provider supports.
   */
  public static cookie(name: string, value: string): RequestMatch {
    const pattern = `^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$`;
    return new RequestMatch({ headers: [HeaderMatch.regex('cookie', pattern)] });
  }

  /**
   * gRPC calls to `service` (fully qualified, e.g. `helloworld.Greeter`), to its method `method`
   * if given; a gRPC host only.
   */
  public static grpcMethod(service: string, method?: string): RequestMatch {
    return new RequestMatch({ grpcMethod: method == null ? GrpcMethodMatch.service(service) : GrpcMethodMatch.method(service, method) });
  }

  /** Requests whose path starts with `prefix`. */
  public static pathPrefix(prefix: string): RequestMatch {
    return new RequestMatch({ path: PathMatch.prefix(prefix) });
  }

  /** Requests that meet every condition given. */
  public static of(options: RequestMatchOptions): RequestMatch {
    return new RequestMatch(options ?? {});
  }

  private constructor(private readonly options: RequestMatchOptions) {}

  /** @internal the validated match (at least one condition); `prop` names it in errors */
  public _toIntent(scope: IConstruct, prop: string): MatchIntent {
    checkProps(scope, this.options, REQUEST_MATCH(), `${prop}.`);
    const { path, headers = [], queryParams = [], method, grpcMethod } = this.options;
    if (!path && !method && !grpcMethod && headers.length === 0 && queryParams.length === 0) {
      invalid(scope, prop, {}, 'at least one condition (path, header, query parameter, method or gRPC method)');
    }
    if (grpcMethod && (path || method || queryParams.length > 0)) {
      // A gRPC call is a POST to /<service>/<method> without a query: those conditions are the gRPC method's.
      invalid(scope, `${prop}.grpcMethod`, 'with ' + [path ? 'path' : '', method ? 'method' : '', queryParams.length > 0 ? 'queryParams' : ''].filter(x => x).join(', '),
        'combined with headers only (a gRPC call\'s path is its service and method, its HTTP method always POST)');
    }
    const intent: MatchIntent = {
      path: path?._toIntent(scope, `${prop}.path`),
      headers: headers.map((h, i) => h._toIntent(scope, `${prop}.headers[${i}]`)),
      queryParams: queryParams.map((q, i) => q._toIntent(scope, `${prop}.queryParams[${i}]`)),
      method,
      ...(grpcMethod ? { grpcMethod: grpcMethod._toIntent(scope, `${prop}.grpcMethod`) } : {}),
    };
    // Gateway API considers only the first of two entries with equivalent names, Istio keeps one
    // per (lower-cased) header key: two conditions on one name would silently become one.
    // Header names are case-insensitive (RFC 9110); query parameter names are not.
    const twice = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);
    const header = twice(intent.headers.map(h => h.name.toLowerCase()));
    if (header !== undefined) invalid(scope, `${prop}.headers`, header, 'named once per match (header names are case-insensitive)');
    const query = twice(intent.queryParams.map(q => q.name));
    if (query !== undefined) invalid(scope, `${prop}.queryParams`, query, 'named once per match');
    return intent;
  }
}

/** A header (`isHeader`) or query parameter match: a non-empty name, and a value unless a regex. */
function checkNamed(scope: IConstruct, prop: string, m: NamedMatchIntent, isHeader: boolean): NamedMatchIntent {
  if (typeof m.name === 'string' && m.name.trim() === '') invalid(scope, `${prop}.name`, m.name, 'a non-empty name');
  checkProps(scope, m, NAMED[isHeader ? 'header' : 'query'][m.kind === 'regex' ? 'regex' : 'value'], `${prop}.`);
  if (m.name.trim() === '') invalid(scope, `${prop}.name`, m.name, 'a non-empty name');
  if (isHeader) checkHeaderName(scope, `${prop}.name`, m.name);
  if (m.kind !== 'regex' && m.value === '') invalid(scope, `${prop}.value`, m.value, 'non-empty');
  return m;
}

/** The checks of a header or query parameter match, by what it names and how it matches. */
const NAMED = (() => {
  const value = required(string({ max: 4096, rule: 'a string of at most 4096 characters' }));
  const pattern = required(nonEmptyString);
  const of = (name: Check) => ({ value: { name, value }, regex: { name, value: pattern } });
  return { header: of(required(headerName)), query: of(required(queryParamName)) };
})();

/** The checks of a path match's value. */
const REQUIRED_PATTERN = required(nonEmptyString);
const REQUIRED_PATH = required(absolutePath);

/** The checks of RequestMatchOptions. */
const REQUEST_MATCH = fieldsOnce(() => ({
  path: optional(instanceOf(PathMatch, 'PathMatch (PathMatch.exact(), .prefix(), .regex())')),
  headers: optional(arrayOf(instanceOf(HeaderMatch, 'HeaderMatch (HeaderMatch.exact(), .prefix(), .regex())'))),
  queryParams: optional(arrayOf(instanceOf(QueryParamMatch, 'QueryParamMatch (QueryParamMatch.exact(), .regex())'))),
  method: optional(enumOf(HttpMethod, 'HttpMethod')),
  grpcMethod: optional(instanceOf(GrpcMethodMatch, 'GrpcMethodMatch (GrpcMethodMatch.service(), .method())')),
}));

function escapeRegex(s: string): string {
  return String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
