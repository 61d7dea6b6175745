/**
 * The fields of Gateway API's HTTPRoute that the renderer emits, written by hand from
 * gateway.networking.k8s.io/v1. Correctness is proven by validating against the upstream CRDs.
 */

export interface ParentReference {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly port?: number;
}

export interface BackendRef {
  readonly name: string;
  readonly port: number;
  readonly weight?: number;
}

export interface HTTPPathMatch {
  readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression';
  readonly value: string;
}

export interface HTTPNamedMatch {
  readonly type: 'Exact' | 'RegularExpression';
  readonly name: string;
  readonly value: string;
}

export interface HTTPRouteMatch {
  readonly path?: HTTPPathMatch;
  readonly headers?: HTTPNamedMatch[];
  readonly queryParams?: HTTPNamedMatch[];
  readonly method?: string;
}

export interface HTTPRouteFilter {
  readonly type: 'RequestMirror';
  readonly requestMirror: {
    readonly backendRef: BackendRef;
    readonly percent?: number;
  };
}

export interface HTTPRouteRule {
  readonly name?: string;
  readonly matches?: HTTPRouteMatch[];
  readonly filters?: HTTPRouteFilter[];
  readonly backendRefs: BackendRef[];
  readonly timeouts?: { readonly request?: string; readonly backendRequest?: string };
  /** experimental channel */
  readonly retry?: { readonly attempts?: number; readonly codes?: number[] };
}

export interface HTTPRouteSpec {
  readonly parentRefs: ParentReference[];
  readonly rules: HTTPRouteRule[];
}
