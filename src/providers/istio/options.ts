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
   * The API through which routing is expressed.
   * @default IstioRoutingApi.ISTIO
   */
  readonly routingApi?: IstioRoutingApi;

  /**
   * The `networking.istio.io` version to emit (with `IstioRoutingApi.ISTIO`).
   * @default IstioApiVersion.V1
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
   * With `IstioRoutingApi.GATEWAY_API`: the cluster runs Gateway API's experimental channel: retries go into the HTTPRoute rules'
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

/** The API versions an Istio configuration emits, decided once for every Istio renderer. */
export interface IstioApis {
  /** networking.istio.io: VirtualService, DestinationRule, Gateway, Sidecar */
  readonly networking: string;
  /** security.istio.io: PeerAuthentication, AuthorizationPolicy, RequestAuthentication */
  readonly security: string;
  /** telemetry.istio.io: Telemetry */
  readonly telemetry: string;
  /** the version of gateway.networking.k8s.io HTTPRoutes and Gateways */
  readonly gatewayApiVersion: string;
}

/**
 * Istio older than 1.22 serves networking and security as v1beta1 and Telemetry as v1alpha1;
 * 1.22 and later serve all three as v1.
 * @see https://istio.io/latest/blog/2024/v1-apis/
 */
export function istioApis(apiVersion: IstioApiVersion | undefined, gatewayApiVersion: GatewayApiVersion | undefined): IstioApis {
  const beta = apiVersion === IstioApiVersion.V1BETA1;
  return {
    networking: `networking.istio.io/${beta ? 'v1beta1' : 'v1'}`,
    security: `security.istio.io/${beta ? 'v1beta1' : 'v1'}`,
    telemetry: `telemetry.istio.io/${beta ? 'v1alpha1' : 'v1'}`,
    gatewayApiVersion: gatewayApiVersion ?? GatewayApiVersion.V1,
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
  const apis = istioApis(options.apiVersion, options.gatewayApiVersion);
  const gamma = routingApi === IstioRoutingApi.GATEWAY_API;
  const routing = gamma
    ? new GammaRouting(apis.gatewayApiVersion, 'Istio', { extension: new IstioGammaPolicy(apis.networking), experimental: options.experimentalChannel })
    : new IstioRouting(apis.networking);
  // Ambient: L7 intents only apply through a waypoint, so the renderer adds one where needed.
  const ambient = dataPlaneMode === IstioDataPlaneMode.AMBIENT;
  return {
    name: 'istio',
    key: JSON.stringify(['istio', routingApi, apis, options.revision ?? '', options.experimentalChannel ?? false, dataPlaneMode, rootNamespace, trustDomain]),
    dataPlane: new IstioDataPlane(options.revision, ambient),
    traffic: ambient ? new AmbientWaypoints(routing, apis.gatewayApiVersion) : routing,
    // Istio implements Gateway API ingress with its `istio` GatewayClass and RE2 path regexes.
    ingress: gamma
      ? new GatewayApiIngress(apis.gatewayApiVersion, 'Istio', { defaultClassName: 'istio', regexPaths: true })
      : new IstioIngress(apis.networking, ingressGatewayNamespace),
    security: new IstioSecurity({ ambient, rootNamespace, trustDomain, apiVersion: apis.security }),
  };
}
