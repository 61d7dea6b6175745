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
  readonly type: 'RequestMirror' | 'RequestHeaderModifier' | 'ResponseHeaderModifier';
  readonly requestMirror?: {
    readonly backendRef: BackendRef;
    readonly percent?: number;
    readonly fraction?: { readonly numerator: number; readonly denominator: number };
  };
  readonly requestHeaderModifier?: HTTPHeaderFilter;
  readonly responseHeaderModifier?: HTTPHeaderFilter;
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

/** GRPCRoute (gateway.networking.k8s.io/v1, v1alpha2): gRPC service and method, headers. */
export interface GRPCRouteMatch {
  readonly method?: { readonly type: 'Exact'; readonly service: string; readonly method?: string };
  readonly headers?: HTTPNamedMatch[];
}

export interface GRPCRouteRule {
  readonly name?: string;
  readonly matches?: GRPCRouteMatch[];
  readonly filters?: HTTPRouteFilter[];
  readonly backendRefs: BackendRef[];
}

export interface GRPCRouteSpec {
  readonly parentRefs: ParentReference[];
  readonly rules: GRPCRouteRule[];
}

/** TCPRoute (v1alpha2, v1): one rule of weighted backends; nothing to match. */
export interface TCPRouteSpec {
  readonly parentRefs: ParentReference[];
  readonly rules: { readonly backendRefs: BackendRef[] }[];
}

/** The fields of Gateway, GatewayClass, TLSRoute and ReferenceGrant that ingress emits. */

export interface IngressParentReference {
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

export interface IngressBackendRef {
  readonly name: string;
  readonly namespace?: string;
  readonly port: number;
  readonly weight?: number;
}

export interface HTTPHeaderFilter {
  readonly set?: { readonly name: string; readonly value: string }[];
  readonly add?: { readonly name: string; readonly value: string }[];
  readonly remove?: string[];
}

export interface IngressHTTPRouteFilter {
  readonly type: 'RequestRedirect' | 'URLRewrite' | 'RequestHeaderModifier' | 'ResponseHeaderModifier';
  readonly requestRedirect?: {
    readonly scheme?: string;
    readonly hostname?: string;
    readonly path?: { readonly type: 'ReplaceFullPath'; readonly replaceFullPath: string };
    readonly port?: number;
    readonly statusCode?: number;
  };
  readonly urlRewrite?: {
    readonly hostname?: string;
    readonly path?: { readonly type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; readonly replaceFullPath?: string; readonly replacePrefixMatch?: string };
  };
  readonly requestHeaderModifier?: HTTPHeaderFilter;
  readonly responseHeaderModifier?: HTTPHeaderFilter;
}

export interface IngressHTTPRouteRule {
  readonly name?: string;
  readonly matches?: HTTPRouteMatch[];
  readonly filters?: IngressHTTPRouteFilter[];
  readonly backendRefs?: IngressBackendRef[];
  readonly timeouts?: { readonly request?: string };
}

export interface IngressHTTPRouteSpec {
  readonly parentRefs: IngressParentReference[];
  readonly hostnames?: string[];
  readonly rules: IngressHTTPRouteRule[];
}

export interface TLSRouteSpec {
  readonly parentRefs: IngressParentReference[];
  readonly hostnames: string[];
  readonly rules: { readonly backendRefs: IngressBackendRef[] }[];
}

export interface Listener {
  readonly name: string;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TLS';
  readonly port: number;
  readonly hostname?: string;
  readonly tls?: {
    readonly mode: 'Terminate' | 'Passthrough';
    readonly certificateRefs?: { readonly name: string; readonly namespace?: string }[];
  };
  readonly allowedRoutes: {
    readonly namespaces: {
      readonly from: 'Same' | 'All' | 'Selector';
      readonly selector?: { readonly matchLabels: Record<string, string> };
    };
  };
}

export interface GatewaySpec {
  readonly gatewayClassName: string;
  readonly listeners: Listener[];
}

export interface ReferenceGrantSpec {
  readonly from: { readonly group: string; readonly kind: string; readonly namespace: string }[];
  readonly to: { readonly group: string; readonly kind: string; readonly name?: string }[];
}
