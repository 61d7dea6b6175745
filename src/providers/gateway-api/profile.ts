/**
 * The Gateway API a provider configuration targets: the release (bundle) and channel the cluster
 * runs, which fields each has, and what the mesh reading the routes honours. Providers decide their
 * profile in their options.ts; the Gateway API renderers receive it.
 */
import { Unsupported } from '../../model/renderer';

/**
 * A Gateway API release: the `gateway.networking.k8s.io/bundle-version` of the CRDs the cluster
 * runs. It decides which fields and kinds the renderers may emit (with the channel).
 * @see https://gateway-api.sigs.k8s.io/concepts/versioning/
 */
export class GatewayApiBundle {
  /** Gateway API v1.0: HTTPRoute, Gateway, GatewayClass `v1`; timeouts experimental */
  public static readonly V1_0 = new GatewayApiBundle(0);
  /** Gateway API v1.1: GRPCRoute standard */
  public static readonly V1_1 = new GatewayApiBundle(1);
  /** Gateway API v1.2: HTTPRoute `timeouts` standard; rule names, mirror percent and `retry` experimental */
  public static readonly V1_2 = new GatewayApiBundle(2);
  /** Gateway API v1.3: RequestMirror `percent` / `fraction` standard */
  public static readonly V1_3 = new GatewayApiBundle(3);
  /** Gateway API v1.4: HTTPRoute `rules[].name` standard, BackendTLSPolicy `v1` */
  public static readonly V1_4 = new GatewayApiBundle(4);
  /** Gateway API v1.5: TLSRoute `v1` standard, ListenerSet */
  public static readonly V1_5 = new GatewayApiBundle(5);
  /** Gateway API v1.6 */
  public static readonly V1_6 = new GatewayApiBundle(6);

  /**
   * Any v1 release as `v1.<minor>` or `v1.<minor>.<patch>` (the `v` is optional), e.g. `"v1.4.1"`.
   */
  public static of(version: string): GatewayApiBundle {
    const m = /^v?1\.(\d{1,2})(\.\d+)?$/.exec(version);
    if (!m) {
      throw new Error(`GatewayApiBundle.of: 'version' (${JSON.stringify(version)}) must be a Gateway API v1 release as "v1.<minor>" or "v1.<minor>.<patch>", e.g. "v1.4.1"`);
    }
    return new GatewayApiBundle(Number(m[1]));
  }

  /** The minor release number (the `4` of v1.4). */
  public readonly minor: number;
  /** The release as `v1.<minor>`. */
  public readonly version: string;

  private constructor(minor: number) {
    this.minor = minor;
    this.version = `v1.${minor}`;
  }
}

/**
 * The Gateway API a provider configuration targets, decided once by the provider's wiring: the
 * CRDs the cluster serves (bundle and channel) and what the mesh that reads mesh routes honours.
 * Internal: the renderers receive it.
 */
export interface GatewayApiProfile {
  /** the bundle's minor release */
  readonly bundle: number;
  /** the cluster runs the experimental channel */
  readonly experimental: boolean;
  /** the version of HTTPRoute, Gateway and GatewayClass to emit */
  readonly apiVersion: string;
  /**
   * What the implementation that reads the routes understands: the fields of this Gateway API
   * release and channel (newer ones are dropped or make it ignore the route). Undefined: all the
   * bundle has.
   */
  readonly honours?: { readonly name: string; readonly minor: number; readonly experimental: boolean };
  /**
   * The TLSRoute version to emit for TLS passthrough, or why there is none: which TLSRoute the
   * implementation watches depends on its release.
   */
  readonly tlsRoute: { readonly apiVersion?: string; readonly unsupported?: Unsupported };
  /** e.g. "Gateway API v1.2 (standard channel)", for messages */
  readonly description: string;
}

/** Fields whose availability depends on the release and channel. */
export type GatewayApiFeature = 'ruleNames' | 'mirrorPercent' | 'timeouts' | 'retry' | 'backendTlsPolicy';

/**
 * The first minor release whose standard / experimental channel has each field.
 * @see https://github.com/kubernetes-sigs/gateway-api/releases (CHANGELOG: v1.2.0 timeouts GA, v1.3.0 percentage mirroring GA, v1.4.0 named rules GA)
 */
const FEATURES: Record<GatewayApiFeature, { readonly standard: number; readonly experimental: number; readonly what: string }> = {
  ruleNames: { standard: 4, experimental: 2, what: 'HTTPRoute rules[].name' },
  mirrorPercent: { standard: 3, experimental: 2, what: 'RequestMirror percent' },
  timeouts: { standard: 2, experimental: 0, what: 'HTTPRoute rules[].timeouts' },
  retry: { standard: Infinity, experimental: 2, what: 'HTTPRoute rules[].retry' },
  // v1.4 serves BackendTLSPolicy v1 in both channels (earlier experimental channels: v1alpha2/3, not emitted)
  backendTlsPolicy: { standard: 4, experimental: 4, what: 'BackendTLSPolicy v1' },
};

function inRelease(feature: GatewayApiFeature, minor: number, experimental: boolean): boolean {
  const f = FEATURES[feature];
  return minor >= (experimental ? f.experimental : f.standard);
}

function since(feature: GatewayApiFeature): string {
  const f = FEATURES[feature];
  return f.standard === Infinity ? `the experimental channel from Gateway API v1.${f.experimental}`
    : `Gateway API v1.${f.standard} (experimental channel: v1.${f.experimental})`;
}

/** Whether the target serves the field and the implementation honours it. */
export function gatewayApiHas(profile: GatewayApiProfile, feature: GatewayApiFeature): boolean {
  return inRelease(feature, profile.bundle, profile.experimental)
    && (profile.honours === undefined || inRelease(feature, profile.honours.minor, profile.honours.experimental));
}

/** Undefined when the target has the field, else why not: what adds it and what to do. */
export function gatewayApiLacks(profile: GatewayApiProfile, feature: GatewayApiFeature, what: string): Unsupported | undefined {
  if (gatewayApiHas(profile, feature)) return undefined;
  const f = FEATURES[feature];
  const served = inRelease(feature, profile.bundle, profile.experimental);
  return {
    feature: `${what} (${f.what}, in ${since(feature)})`,
    instead: served
      ? `${profile.honours!.name} honours only the fields of Gateway API v1.${profile.honours!.minor}${profile.honours!.experimental ? ' (experimental channel)' : ''} and ignores routes with newer ones; target a newer release or drop it`
      : `the target is ${profile.description}; state the Gateway API release the cluster runs (gatewayApiBundle${f.standard === Infinity ? ', experimentalChannel: true' : ''}) if it is newer, or drop it`,
  };
}

/** Describes a bundle and channel. */
export function describeGatewayApi(minor: number, experimental: boolean): string {
  return `Gateway API v1.${minor} (${experimental ? 'experimental' : 'standard'} channel)`;
}

/**
 * TLSRoute: experimental `v1alpha2` up to v1.4, `v1` (standard) from v1.5, whose experimental
 * channel still serves `v1alpha2`. An implementation that watches `v1alpha2` only needs the
 * experimental channel.
 */
export function tlsRouteFor(minor: number, experimental: boolean, watches: 'v1' | 'v1alpha2' | 'any', implementation: string): GatewayApiProfile['tlsRoute'] {
  const v1 = minor >= 5;
  if ((watches === 'v1' || watches === 'any') && v1) return { apiVersion: 'gateway.networking.k8s.io/v1' };
  if ((watches === 'v1alpha2' || watches === 'any') && experimental) return { apiVersion: 'gateway.networking.k8s.io/v1alpha2' };
  const target = describeGatewayApi(minor, experimental);
  return {
    unsupported: {
      feature: `TLS passthrough (TLSRoute) on ${target}`,
      instead: watches === 'v1'
        ? `${implementation} watches TLSRoute v1 only, which Gateway API v1.5 adds: install Gateway API v1.5 or later and state it (gatewayApiBundle)`
        : watches === 'v1alpha2'
          ? `${implementation} watches TLSRoute v1alpha2, served by Gateway API's experimental channel only (up to v1.4.1 for Istio 1.28): install it and state experimentalChannel: true, or a newer ${implementation.split(' ')[0]}`
          : 'TLSRoute is in the standard channel from Gateway API v1.5 (experimental before): state gatewayApiBundle v1.5 or later, or experimentalChannel: true',
    },
  };
}

/** A Gateway API profile for an implementation that honours everything the bundle has. */
export function gatewayApiProfile(options: {
  bundle: GatewayApiBundle;
  experimental: boolean;
  apiVersion: string;
  honours?: GatewayApiProfile['honours'];
  tlsRoute?: GatewayApiProfile['tlsRoute'];
}): GatewayApiProfile {
  const { bundle, experimental } = options;
  return {
    bundle: bundle.minor,
    experimental,
    apiVersion: options.apiVersion,
    honours: options.honours,
    tlsRoute: options.tlsRoute ?? tlsRouteFor(bundle.minor, experimental, 'any', 'the gateway implementation'),
    description: describeGatewayApi(bundle.minor, experimental),
  };
}

