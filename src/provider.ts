import { isDns1123Label, isDns1123Subdomain } from './private/errors';
import { GammaRouting, GatewayApiIngress, GatewayApiSecurity, GenericDataPlane } from './providers/gateway-api';
import { AmbientWaypoints, IstioDataPlane, IstioGammaPolicy, IstioIngress, IstioRouting, IstioSecurity } from './providers/istio';
import { LinkerdDataPlane, LinkerdPolicyRouting, LinkerdRoutePolicy, LinkerdSecurity, SmiRouting } from './providers/linkerd';
import { DataPlaneRenderer, IngressRenderer, SecurityRenderer, TrafficRenderer } from './providers/renderer';

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
 * The version of Gateway API's `gateway.networking.k8s.io` HTTPRoute to emit.
 */
export enum GatewayApiVersion {
  /** `v1`: Gateway API 1.0 and later */
  V1 = 'v1',
  /** `v1beta1`: for implementations that predate Gateway API 1.0 */
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

/**
 * A Linkerd release. It decides which APIs the cluster serves and how retries and timeouts are
 * expressed (annotations from 2.16, ServiceProfiles before).
 */
export class LinkerdVersion {
  /** Linkerd 2.14: first release with Gateway API (v1beta1) HTTPRoutes for mesh traffic */
  public static readonly V2_14 = new LinkerdVersion(14);
  /** Linkerd 2.15 */
  public static readonly V2_15 = new LinkerdVersion(15);
  /** Linkerd 2.16: retries and timeouts through annotations on routes and Services */
  public static readonly V2_16 = new LinkerdVersion(16);
  /** Linkerd 2.17 */
  public static readonly V2_17 = new LinkerdVersion(17);
  /** Linkerd 2.18: Gateway API `v1` HTTPRoute */
  public static readonly V2_18 = new LinkerdVersion(18);

  /**
   * Any release as `2.<minor>` or `2.<minor>.<patch>`, e.g. `"2.19"`. For an edge release, give the
   * stable version it corresponds to.
   */
  public static of(version: string): LinkerdVersion {
    const m = /^2\.(\d{1,3})(\.\d+)?$/.exec(version);
    if (!m || Number(m[1]) < 10) {
      throw new Error(`LinkerdVersion.of: 'version' (${JSON.stringify(version)}) must be a Linkerd 2 release from 2.10 on, as "2.<minor>" or "2.<minor>.<patch>", e.g. "2.18"`);
    }
    return new LinkerdVersion(Number(m[1]));
  }

  /** The minor release number (the `18` of 2.18). */
  public readonly minor: number;
  /** The release as `2.<minor>`. */
  public readonly version: string;

  private constructor(minor: number) {
    this.minor = minor;
    this.version = `2.${minor}`;
  }
}

/**
 * Which API Linkerd's routing is driven through.
 */
export enum LinkerdRoutingApi {
  /** Gateway API HTTPRoute attached to Services (GAMMA); Linkerd 2.14 and later */
  GATEWAY_API = 'gateway-api',
  /** Linkerd's own `policy.linkerd.io/v1beta3` HTTPRoute, for clusters without the Gateway API CRDs; 2.14 and later */
  POLICY = 'policy',
  /** SMI TrafficSplit through the linkerd-smi extension, with retries and timeouts in a ServiceProfile */
  SMI = 'smi',
}

/**
 * The version of SMI's `split.smi-spec.io` TrafficSplit to emit (the ones linkerd-smi serves).
 */
export enum SmiApiVersion {
  /** `v1alpha1`: weights are quantities or integers */
  V1ALPHA1 = 'v1alpha1',
  /** `v1alpha2`: weights are numbers */
  V1ALPHA2 = 'v1alpha2',
}

/**
 * Options for `MeshProvider.linkerd()`.
 */
export interface LinkerdProviderOptions {
  /**
   * The Linkerd release the cluster runs.
   * @default LinkerdVersion.V2_18
   */
  readonly version?: LinkerdVersion;

  /**
   * The API through which routing is expressed.
   * @default LinkerdRoutingApi.GATEWAY_API
   */
  readonly routingApi?: LinkerdRoutingApi;

  /**
   * The Gateway API HTTPRoute version to emit (with `LinkerdRoutingApi.GATEWAY_API`). An explicit
   * choice overrides the version's default, e.g. for a cluster whose Gateway API CRDs differ.
   * @default - `v1` for Linkerd 2.18 and later, `v1beta1` for 2.14 to 2.17
   */
  readonly gatewayApiVersion?: GatewayApiVersion;

  /**
   * The TrafficSplit version to emit (with `LinkerdRoutingApi.SMI`).
   * @default SmiApiVersion.V1ALPHA1
   */
  readonly smiApiVersion?: SmiApiVersion;

  /**
   * The cluster's DNS domain, part of a ServiceProfile's name (`<svc>.<ns>.svc.<domain>`).
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
}

/**
 * Options for `MeshProvider.gatewayApi()`.
 */
export interface GatewayApiProviderOptions {
  /**
   * The HTTPRoute version to emit.
   * @default GatewayApiVersion.V1
   */
  readonly apiVersion?: GatewayApiVersion;

  /**
   * The cluster runs Gateway API's experimental channel: retries go into the HTTPRoute rules'
   * `retry` field (attempts, status codes) with per-try timeouts as `timeouts.backendRequest`.
   * @default false
   * @see https://gateway-api.sigs.k8s.io/geps/gep-1731/
   */
  readonly experimentalChannel?: boolean;
}

/**
 * A service mesh and the API its routing is driven through. The same constructs rendered with
 * another provider yield that mesh's objects; what a provider cannot express is a synth-time
 * error, never a dropped setting.
 */
export class MeshProvider {
  /**
   * Istio with sidecars. Routing through Istio's own API by default, or through Gateway API.
   */
  public static istio(options: IstioProviderOptions = {}): MeshProvider {
    const routingApi = options.routingApi ?? IstioRoutingApi.ISTIO;
    if (options.revision !== undefined && !isDns1123Label(options.revision)) {
      throw new Error(`MeshProvider.istio: 'revision' (${JSON.stringify(options.revision)}) must be a DNS-1123 label, e.g. "1-24-0" or "stable"`);
    }
    const rootNamespace = options.rootNamespace ?? 'istio-system';
    if (!isDns1123Label(rootNamespace)) {
      throw new Error(`MeshProvider.istio: 'rootNamespace' (${JSON.stringify(rootNamespace)}) must be a DNS-1123 label, e.g. "istio-system"`);
    }
    const trustDomain = options.trustDomain ?? 'cluster.local';
    if (!isDns1123Subdomain(trustDomain)) {
      throw new Error(`MeshProvider.istio: 'trustDomain' (${JSON.stringify(trustDomain)}) must be a DNS name, e.g. "cluster.local"`);
    }
    const dataPlaneMode = options.dataPlaneMode ?? IstioDataPlaneMode.SIDECAR;
    if (options.experimentalChannel !== undefined && routingApi !== IstioRoutingApi.GATEWAY_API) {
      throw new Error(`MeshProvider.istio: 'experimentalChannel' (${options.experimentalChannel}) must be used only with routingApi IstioRoutingApi.GATEWAY_API`);
    }
    const apiVersion = options.apiVersion ?? IstioApiVersion.V1;
    const routing = routingApi === IstioRoutingApi.GATEWAY_API
      ? new GammaRouting(options.gatewayApiVersion ?? GatewayApiVersion.V1, 'Istio', {
        extension: new IstioGammaPolicy(apiVersion),
        experimental: options.experimentalChannel,
      })
      : new IstioRouting(apiVersion);
    // Ambient: L7 intents only apply through a waypoint, so the renderer adds one where needed.
    const ambient = dataPlaneMode === IstioDataPlaneMode.AMBIENT;
    const traffic = ambient ? new AmbientWaypoints(routing) : routing;
    // Istio implements Gateway API ingress with its `istio` GatewayClass and RE2 path regexes.
    const ingress = routingApi === IstioRoutingApi.GATEWAY_API
      ? new GatewayApiIngress(options.gatewayApiVersion ?? GatewayApiVersion.V1, 'Istio', { defaultClassName: 'istio', regexPaths: true })
      : new IstioIngress(apiVersion);
    const security = new IstioSecurity({ ambient, rootNamespace, trustDomain });
    return new MeshProvider('istio', new IstioDataPlane(options.revision, ambient), traffic,
      JSON.stringify(['istio', routingApi, apiVersion, options.gatewayApiVersion ?? 'v1', options.revision ?? '', options.experimentalChannel ?? false,
        dataPlaneMode, rootNamespace, trustDomain]), ingress, security);
  }

  /**
   * Linkerd. Routing through Gateway API HTTPRoutes by default, or Linkerd's own HTTPRoute, or
   * SMI TrafficSplit (linkerd-smi) for older clusters; the version decides the API versions and
   * how retries and timeouts are expressed.
   */
  public static linkerd(options: LinkerdProviderOptions = {}): MeshProvider {
    const version = options.version ?? LinkerdVersion.V2_18;
    const routingApi = options.routingApi ?? LinkerdRoutingApi.GATEWAY_API;
    const release = { minor: version.minor, name: `Linkerd ${version.version}` };
    const clusterDomain = options.clusterDomain ?? 'cluster.local';
    if (!isDns1123Subdomain(clusterDomain)) {
      throw new Error(`MeshProvider.linkerd: 'clusterDomain' (${JSON.stringify(clusterDomain)}) must be a DNS name, e.g. "cluster.local"`);
    }
    const set = (name: string, value: unknown, api: LinkerdRoutingApi) => {
      if (value !== undefined && routingApi !== api) {
        throw new Error(`MeshProvider.linkerd: '${name}' (${JSON.stringify(value)}) must be used only with routingApi LinkerdRoutingApi.${api === LinkerdRoutingApi.SMI ? 'SMI' : 'GATEWAY_API'} (routingApi is "${routingApi}")`);
      }
    };
    set('gatewayApiVersion', options.gatewayApiVersion, LinkerdRoutingApi.GATEWAY_API);
    set('smiApiVersion', options.smiApiVersion, LinkerdRoutingApi.SMI);
    if (routingApi !== LinkerdRoutingApi.SMI && version.minor < 14) {
      throw new Error(`MeshProvider.linkerd: 'routingApi' ("${routingApi}") must be LinkerdRoutingApi.SMI for Linkerd ${version.version}: HTTPRoutes for mesh traffic need Linkerd 2.14 or later`);
    }
    const gatewayApiVersion = options.gatewayApiVersion ?? (version.minor >= 18 ? GatewayApiVersion.V1 : GatewayApiVersion.V1BETA1);
    const smiApiVersion = options.smiApiVersion ?? SmiApiVersion.V1ALPHA1;
    const traffic = routingApi === LinkerdRoutingApi.SMI ? new SmiRouting(smiApiVersion, clusterDomain)
      : routingApi === LinkerdRoutingApi.POLICY ? new LinkerdPolicyRouting(release)
        : new GammaRouting(gatewayApiVersion, `Linkerd ${version.version}`, { extension: new LinkerdRoutePolicy(release, 16) });
    // Linkerd has no ingress of its own: north-south routes go through Gateway API, for the
    // gateway implementation the user names.
    const ingress = new GatewayApiIngress(options.gatewayApiVersion ?? GatewayApiVersion.V1, `Linkerd ${version.version}`, { regexPaths: false });
    return new MeshProvider('linkerd', new LinkerdDataPlane(), traffic,
      JSON.stringify(['linkerd', version.minor, routingApi, gatewayApiVersion, smiApiVersion, clusterDomain]), ingress,
      new LinkerdSecurity(release));
  }

  /**
   * Any mesh that implements Gateway API for east-west traffic (GAMMA), through standard
   * features only. Injection and proxy sizing are left to the mesh's namespace configuration.
   */
  public static gatewayApi(options: GatewayApiProviderOptions = {}): MeshProvider {
    const apiVersion = options.apiVersion ?? GatewayApiVersion.V1;
    return new MeshProvider('gateway-api', new GenericDataPlane(),
      new GammaRouting(apiVersion, 'Gateway API', { experimental: options.experimentalChannel }),
      JSON.stringify(['gateway-api', apiVersion, options.experimentalChannel ?? false]),
      new GatewayApiIngress(apiVersion, 'Gateway API', { regexPaths: false }), new GatewayApiSecurity());
  }

  /** @internal */
  public readonly _dataPlane: DataPlaneRenderer;
  /** @internal */
  public readonly _traffic: TrafficRenderer;
  /** @internal mTLS and authorization */
  public readonly _security: SecurityRenderer;
  /** @internal equal keys mean equal configuration */
  public readonly _key: string;
  /** @internal north-south: gateways and the routes attached to them */
  public readonly _ingress: IngressRenderer;

  /**
   * The provider's name: `istio`, `linkerd` or `gateway-api`.
   */
  public readonly name: string;

  private constructor(name: string, dataPlane: DataPlaneRenderer, traffic: TrafficRenderer, key: string, ingress: IngressRenderer,
    security: SecurityRenderer) {
    this.name = name;
    this._security = security;
    this._dataPlane = dataPlane;
    this._traffic = traffic;
    this._key = key;
    this._ingress = ingress;
  }
}
