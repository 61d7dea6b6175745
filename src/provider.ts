import { isDns1123Label } from './private/errors';
import { GammaRouting, GatewayApiIngress, GenericDataPlane } from './providers/gateway-api';
import { IstioDataPlane, IstioIngress, IstioRouting } from './providers/istio';
import { DataPlaneRenderer, IngressRenderer, TrafficRenderer } from './providers/renderer';

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
    const gatewayApi = routingApi === IstioRoutingApi.GATEWAY_API;
    const traffic = gatewayApi
      ? new GammaRouting(options.gatewayApiVersion ?? GatewayApiVersion.V1, 'Istio')
      : new IstioRouting(options.apiVersion ?? IstioApiVersion.V1);
    // Istio implements Gateway API ingress with its `istio` GatewayClass and RE2 path regexes.
    const ingress = gatewayApi
      ? new GatewayApiIngress(options.gatewayApiVersion ?? GatewayApiVersion.V1, 'Istio', { defaultClassName: 'istio', regexPaths: true })
      : new IstioIngress(options.apiVersion ?? IstioApiVersion.V1);
    return new MeshProvider('istio', new IstioDataPlane(options.revision), traffic,
      JSON.stringify(['istio', routingApi, options.apiVersion ?? 'v1', options.gatewayApiVersion ?? 'v1', options.revision ?? '']), ingress);
  }

  /**
   * Any mesh that implements Gateway API for east-west traffic (GAMMA), through standard
   * features only. Injection and proxy sizing are left to the mesh's namespace configuration.
   */
  public static gatewayApi(options: GatewayApiProviderOptions = {}): MeshProvider {
    const apiVersion = options.apiVersion ?? GatewayApiVersion.V1;
    return new MeshProvider('gateway-api', new GenericDataPlane(), new GammaRouting(apiVersion, 'Gateway API'),
      JSON.stringify(['gateway-api', apiVersion]), new GatewayApiIngress(apiVersion, 'Gateway API', { regexPaths: false }));
  }

  /** @internal */
  public readonly _dataPlane: DataPlaneRenderer;
  /** @internal */
  public readonly _traffic: TrafficRenderer;
  /** @internal equal keys mean equal configuration */
  public readonly _key: string;
  /** @internal north-south: gateways and the routes attached to them */
  public readonly _ingress: IngressRenderer;

  /**
   * The provider's name: `istio` or `gateway-api`.
   */
  public readonly name: string;

  private constructor(name: string, dataPlane: DataPlaneRenderer, traffic: TrafficRenderer, key: string, ingress: IngressRenderer) {
    this.name = name;
    this._dataPlane = dataPlane;
    this._traffic = traffic;
    this._key = key;
    this._ingress = ingress;
  }
}
