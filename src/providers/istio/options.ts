/**
 * The public options of `MeshProvider.istio()`, and the wiring that turns them into renderers.
 * Every Istio API version (networking, security, telemetry, Gateway API) is decided in
 * `istioApis()`, which every Istio renderer, install included, takes its versions from.
 */
import { AmbientWaypoints } from './ambient-waypoint';
import { IstioDataPlane } from './istio-data-plane';
import { IstioGammaPolicy } from './istio-gamma-policy';
import { IstioIngress } from './istio-ingress';
import { IstioRouting } from './istio-routing';
import { IstioSecurity } from './istio-security';
import { ProviderRenderers } from '../../model/renderer';
import { invalidOption, isDns1123Label, isDns1123Subdomain } from '../../private/errors';
import { boolean, checkProps, enumOf, optional, string } from '../../private/validation';

import { GammaRouting } from '../gateway-api/gamma-routing';
import { GatewayApiIngress } from '../gateway-api/gateway-api-ingress';
import { GatewayApiVersion } from '../gateway-api/options';
import { GatewayApiBundle, GatewayApiProfile, gatewayApiProfile, grpcRouteFor, tcpRouteFor, tlsRouteFor } from '../gateway-api/profile';
import { deliveryEngines } from '../shared/delivery-engines';

/**
 * An Istio release. It decides the API versions of Istio's own kinds, the Gateway API release
 * its istiod is built against (fields newer than that are not read), and which TLSRoute it watches.
 * @see https://istio.io/latest/docs/releases/supported-releases/
 */
export class IstioVersion {
  /** Istio 1.22: `networking.istio.io/v1`, `security.istio.io/v1`, `telemetry.istio.io/v1`; Gateway API v1.1 */
  public static readonly V1_22 = new IstioVersion(22);
  /** Istio 1.24: ambient mode GA; Gateway API v1.2 */
  public static readonly V1_24 = new IstioVersion(24);
  /** Istio 1.26: Gateway API v1.3 */
  public static readonly V1_26 = new IstioVersion(26);
  /** Istio 1.28: Gateway API v1.4; ignores TLSRoute CRDs newer than v1.4.1 */
  public static readonly V1_28 = new IstioVersion(28);
  /** Istio 1.30: Gateway API v1.5; watches TLSRoute `v1` only */
  public static readonly V1_30 = new IstioVersion(30);
  /** Istio 1.31: Gateway API v1.6 */
  public static readonly V1_31 = new IstioVersion(31);

  /**
   * Any release as `1.<minor>` or `1.<minor>.<patch>`, from 1.20, e.g. `"1.27.3"`.
   */
  public static of(version: string): IstioVersion {
    const m = /^1\.(\d{1,3})(\.\d+)?$/.exec(version);
    if (!m || Number(m[1]) < 20) {
      throw new Error(`IstioVersion.of: 'version' (${JSON.stringify(version)}) must be an Istio release from 1.20 on, as "1.<minor>" or "1.<minor>.<patch>", e.g. "1.24.6"`);
    }
    return new IstioVersion(Number(m[1]));
  }

  /** The minor release number (the `24` of 1.24). */
  public readonly minor: number;
  /** The release as `1.<minor>`. */
  public readonly version: string;

  private constructor(minor: number) {
    this.minor = minor;
    this.version = `1.${minor}`;
  }
}

/**
 * The version of Istio's `networking.istio.io` API to emit.
 */
export enum IstioApiVersion {
  /** `v1`: Istio 1.22 and later */
  V1 = 'v1',
  /** `v1beta1`: for clusters that still run Istio older than 1.22 */
  V1BETA1 = 'v1beta1',
}

/**
 * Which API Istio's routing is driven through.
 */
export enum IstioRoutingApi {
  /** Istio's own VirtualService and DestinationRule */
  ISTIO = 'istio',
  /** Gateway API HTTPRoute attached to Services (GAMMA), which Istio implements */
  GATEWAY_API = 'gateway-api',
}

/**
 * How Istio's data plane reaches the workloads.
 * @see https://istio.io/latest/docs/ambient/overview/
 */
export enum IstioDataPlaneMode {
  /** an Envoy sidecar injected into every pod */
  SIDECAR = 'sidecar',
  /**
   * Ambient mode: a per-node ztunnel for L4 (mTLS) and, where L7 features are asked for, a waypoint
   * proxy per namespace. Pods get no sidecar.
   */
  AMBIENT = 'ambient',
}

/**
 * Options for `MeshProvider.istio()`.
 */
export interface IstioProviderOptions {
  /**
   * The Istio release the cluster runs (with `MeshInstall`, the release it installs). It decides the
   * API versions and the Gateway API fields emitted.
   * @default IstioVersion.V1_31
   */
  readonly istioVersion?: IstioVersion;

  /**
   * The Gateway API release the cluster runs (Istio does not install it).
   * @default - the release the Istio version is built against (v1.6 for Istio 1.31, v1.2 for 1.24)
   */
  readonly gatewayApiBundle?: GatewayApiBundle;

  /**
   * The API through which routing is expressed.
   * @default IstioRoutingApi.ISTIO
   */
  readonly routingApi?: IstioRoutingApi;

  /**
   * The `networking.istio.io` version to emit (with `IstioRoutingApi.ISTIO`).
   * @default - `v1` from Istio 1.22, `v1beta1` before
   */
  readonly apiVersion?: IstioApiVersion;

  /**
   * The HTTPRoute version to emit (with `IstioRoutingApi.GATEWAY_API`).
   * @default GatewayApiVersion.V1
   */
  readonly gatewayApiVersion?: GatewayApiVersion;

  /**
   * The control-plane revision (or revision tag) whose sidecar injector serves the workloads.
   * Pods then carry `istio.io/rev: <revision>` instead of `sidecar.istio.io/inject: "true"`.
   * @default - the default revision
   * @see https://istio.io/latest/docs/setup/upgrade/canary/
   */
  readonly revision?: string;

  /**
   * The cluster runs Gateway API's experimental channel: with `IstioRoutingApi.GATEWAY_API`, retries go into the HTTPRoute rules'
   * `retry` field (attempts, status codes) with per-try timeouts as `timeouts.backendRequest`.
   * @default false
   * @see https://gateway-api.sigs.k8s.io/geps/gep-1731/
   */
  readonly experimentalChannel?: boolean;

  /**
   * Sidecars or ambient mode. In ambient mode pods get no injection labels (their namespace carries
   * `istio.io/dataplane-mode: ambient`), explicit proxy resources are an error (there is no sidecar
   * to size), every host with L7 routing or traffic policy gets a waypoint (a Gateway API
   * `Gateway` of class `istio-waypoint`) that its Service is bound to with `istio.io/use-waypoint`,
   * and PeerAuthentication `DISABLE` is rejected (ambient ignores it).
   * @default IstioDataPlaneMode.SIDECAR
   * @see https://istio.io/latest/docs/ambient/usage/waypoint/
   */
  readonly dataPlaneMode?: IstioDataPlaneMode;

  /**
   * The mesh's root namespace (`meshConfig.rootNamespace`): a PeerAuthentication there applies
   * mesh-wide.
   * @default "istio-system"
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-root_namespace
   */
  readonly rootNamespace?: string;

  /**
   * The mesh's trust domain (`meshConfig.trustDomain`), the first part of the SPIFFE principals
   * in authorization rules (`<trustDomain>/ns/<ns>/sa/<sa>`).
   * @default "cluster.local"
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
   */
  readonly trustDomain?: string;
}

/** What an Istio configuration targets, decided once for every Istio renderer, install included. */
export interface IstioApis {
  /** the Istio minor release */
  readonly minor: number;
  /** networking.istio.io: VirtualService, DestinationRule, Gateway, Sidecar */
  readonly networking: string;
  /** security.istio.io: PeerAuthentication, AuthorizationPolicy, RequestAuthentication */
  readonly security: string;
  /** telemetry.istio.io: Telemetry */
  readonly telemetry: string;
  /** the version of gateway.networking.k8s.io HTTPRoutes and Gateways */
  readonly gatewayApiVersion: string;
  /** the Gateway API the cluster serves and this Istio honours */
  readonly gatewayApi: GatewayApiProfile;
}

/**
 * The Gateway API release each Istio release is built against (`sigs.k8s.io/gateway-api` in its
 * go.mod): istiod decodes routes with those types, so newer fields are not read. Odd releases are
 * taken as the even release before them. 1.31 is taken as v1.6 (the newest Gateway API; there is no
 * 1.31 source or CRD set in ../shared, so its output is validated against Istio 1.30.3's CRDs).
 * @see ../shared/tools/validate-manifests/README.md "Which profile matches which cluster" (istio/istio go.mod at 1.22.8, 1.24.6, 1.26.8, 1.28.10, 1.30.3)
 */
function istioGatewayApiTypes(minor: number): number {
  if (minor >= 31) return 6;
  if (minor >= 30) return 5;
  if (minor >= 28) return 4;
  if (minor >= 26) return 3;
  if (minor >= 24) return 2;
  if (minor >= 22) return 1;
  return 0;
}

/**
 * Istio older than 1.22 serves networking and security as v1beta1 and Telemetry as v1alpha1;
 * 1.22 and later serve all three as v1. TLSRoute: istiod watches `v1alpha2` up to 1.28 (which
 * ignores TLSRoute CRDs newer than v1.4.1) and `v1` from 1.30 (which ignores TLSRoute CRDs older
 * than v1.5.0: `pkg/config/schema/gatewayapi`). GRPCRoute: istiod ignores GRPCRoute CRDs older
 * than v1.1.0 (every release here). TCPRoute: `v1alpha2` up to 1.30; `v1` from 1.31, which
 * ignores TCPRoute CRDs older than v1.6.0 (`pkg/config/schema/gvr`, `gatewayapi/minimumversions.go`).
 * @see https://istio.io/latest/blog/2024/v1-apis/
 */
export function istioApis(options: {
  version?: IstioVersion;
  apiVersion?: IstioApiVersion;
  gatewayApiVersion?: GatewayApiVersion;
  gatewayApiBundle?: GatewayApiBundle;
  experimentalChannel?: boolean;
}): IstioApis {
  const version = options.version ?? IstioVersion.V1_31;
  const minor = version.minor;
  const beta = (options.apiVersion ?? (minor >= 22 ? IstioApiVersion.V1 : IstioApiVersion.V1BETA1)) === IstioApiVersion.V1BETA1;
  const types = istioGatewayApiTypes(minor);
  const bundle = options.gatewayApiBundle ?? GatewayApiBundle.of(`v1.${types}`);
  const experimental = options.experimentalChannel ?? false;
  const name = `Istio ${version.version}`;
  const tlsRoute = minor >= 30
    ? tlsRouteFor(bundle.minor, experimental, 'v1', name)
    : minor >= 28 && bundle.minor > 4
      ? { unsupported: { feature: `TLS passthrough (TLSRoute) on Gateway API ${bundle.version}`, instead: `${name} ignores TLSRoute CRDs newer than v1.4.1: install Gateway API v1.4.1 (experimental channel) or Istio 1.30` } }
      : tlsRouteFor(bundle.minor, experimental, 'v1alpha2', name);
  const grpcRoute = grpcRouteFor(bundle.minor, experimental, 'v1', name);
  const tcpRoute = tcpRouteFor(bundle.minor, experimental, minor >= 31 ? 'v1' : 'v1alpha2', name);
  const gatewayApiVersion = options.gatewayApiVersion ?? GatewayApiVersion.V1;
  return {
    minor,
    networking: `networking.istio.io/${beta ? 'v1beta1' : 'v1'}`,
    security: `security.istio.io/${beta ? 'v1beta1' : 'v1'}`,
    telemetry: `telemetry.istio.io/${beta ? 'v1alpha1' : 'v1'}`,
    gatewayApiVersion,
    gatewayApi: gatewayApiProfile({
      bundle,
      experimental,
      apiVersion: gatewayApiVersion,
      honours: { name, minor: types, experimental: true },
      tlsRoute,
      grpcRoute,
      tcpRoute,
    }),
  };
}

/**
 * Istio's renderers for one configuration.
 * @param ingressGatewayNamespace where an install put the ingress gateway pods (`MeshInstall`)
 */
export function istioRenderers(options: IstioProviderOptions, ingressGatewayNamespace?: string): ProviderRenderers {
  const factory = 'MeshProvider.istio';
  checkProps(factory, options, {
    routingApi: optional(enumOf(IstioRoutingApi, 'IstioRoutingApi')),
    apiVersion: optional(enumOf(IstioApiVersion, 'IstioApiVersion')),
    gatewayApiVersion: optional(enumOf(GatewayApiVersion, 'GatewayApiVersion')),
    revision: optional(string({ max: 63, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, rule: 'a DNS-1123 label, e.g. "1-24-0" or "stable"' })),
    experimentalChannel: optional(boolean),
    dataPlaneMode: optional(enumOf(IstioDataPlaneMode, 'IstioDataPlaneMode')),
    rootNamespace: optional(string({ max: 63, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, rule: 'a DNS-1123 label, e.g. "istio-system"' })),
    trustDomain: optional(string({ max: 253, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, rule: 'a DNS name, e.g. "cluster.local"' })),
  });
  const routingApi = options.routingApi ?? IstioRoutingApi.ISTIO;
  if (options.revision !== undefined && !isDns1123Label(options.revision)) {
    invalidOption(factory, 'revision', options.revision, 'a DNS-1123 label, e.g. "1-24-0" or "stable"');
  }
  const rootNamespace = options.rootNamespace ?? 'istio-system';
  if (!isDns1123Label(rootNamespace)) invalidOption(factory, 'rootNamespace', rootNamespace, 'a DNS-1123 label, e.g. "istio-system"');
  const trustDomain = options.trustDomain ?? 'cluster.local';
  if (!isDns1123Subdomain(trustDomain)) invalidOption(factory, 'trustDomain', trustDomain, 'a DNS name, e.g. "cluster.local"');
  const dataPlaneMode = options.dataPlaneMode ?? IstioDataPlaneMode.SIDECAR;
  if (options.experimentalChannel !== undefined && routingApi !== IstioRoutingApi.GATEWAY_API) {
    invalidOption(factory, 'experimentalChannel', options.experimentalChannel, 'used only with routingApi IstioRoutingApi.GATEWAY_API');
  }
  const apis = istioApis({
    version: options.istioVersion,
    apiVersion: options.apiVersion,
    gatewayApiVersion: options.gatewayApiVersion,
    gatewayApiBundle: options.gatewayApiBundle,
    experimentalChannel: options.experimentalChannel,
  });
  const name = `Istio 1.${apis.minor}`;
  if (apis.minor < 22 && options.apiVersion === IstioApiVersion.V1) {
    invalidOption(factory, 'apiVersion', options.apiVersion, `IstioApiVersion.V1BETA1 for ${name}: networking.istio.io/v1 is served from Istio 1.22`);
  }
  const gamma = routingApi === IstioRoutingApi.GATEWAY_API;
  const routing = gamma
    ? new GammaRouting(apis.gatewayApi, 'Istio', { extension: new IstioGammaPolicy(apis.networking) })
    : new IstioRouting(apis.networking);
  // Ambient: L7 intents only apply through a waypoint, so the renderer adds one where needed.
  const ambient = dataPlaneMode === IstioDataPlaneMode.AMBIENT;
  if (ambient && apis.minor < 22) {
    invalidOption(factory, 'dataPlaneMode', dataPlaneMode, `IstioDataPlaneMode.SIDECAR for ${name}: ambient waypoints (istio.io/use-waypoint) need Istio 1.22 or later`);
  }
  const traffic = ambient ? new AmbientWaypoints(routing, apis.gatewayApiVersion) : routing;
  return {
    name: 'istio',
    key: JSON.stringify(['istio', routingApi, apis, options.revision ?? '', dataPlaneMode, rootNamespace, trustDomain]),
    target: {
      istio: apis.minor,
      gatewayApi: apis.gatewayApi.bundle,
      gatewayApiChannel: apis.gatewayApi.experimental ? 'experimental' : 'standard',
      honours: apis.gatewayApi.honours,
    },
    dataPlane: new IstioDataPlane(options.revision, ambient),
    traffic,
    delivery: deliveryEngines({
      displayName: `${name} (${gamma ? `gateway.networking.k8s.io/${apis.gatewayApiVersion} HTTPRoute` : apis.networking}${ambient ? ', ambient mode' : ''})`,
      mesh: 'istio',
      routing: gamma ? 'gamma' : 'istio',
      ambient,
      gatewayApiVersion: apis.gatewayApiVersion,
      istioNetworking: apis.networking,
      traffic,
    }),
    // Istio implements Gateway API ingress with its `istio` GatewayClass and RE2 path regexes.
    ingress: gamma
      ? new GatewayApiIngress(apis.gatewayApi, 'Istio', { defaultClassName: 'istio', regexPaths: true })
      : new IstioIngress(apis.networking, ingressGatewayNamespace),
    security: new IstioSecurity({ ambient, rootNamespace, trustDomain, apiVersion: apis.security }),
  };
}
