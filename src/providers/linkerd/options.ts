/**
 * The public options of `MeshProvider.linkerd()`, and the wiring that turns them into renderers.
 * Every Linkerd API version (policy, Gateway API, SMI) is decided in `linkerdApis()`.
 */
import { LinkerdDataPlane } from './linkerd-data-plane';
import { LinkerdPolicyRouting } from './linkerd-policy-routing';
import { LinkerdRelease, LinkerdRoutePolicy } from './linkerd-route-policy';
import { LinkerdSecurity } from './linkerd-security';
import { SmiRouting } from './smi-routing';
import { ProviderRenderers } from '../../model/renderer';
import { invalidOption, isDns1123Subdomain } from '../../private/errors';
import { checkProps, enumOf, instanceOf, optional, string } from '../../private/validation';
import { GammaRouting } from '../gateway-api/gamma-routing';
import { GatewayApiIngress } from '../gateway-api/gateway-api-ingress';
import { GatewayApiVersion } from '../gateway-api/options';
import { GatewayApiBundle, GatewayApiProfile, gatewayApiProfile, grpcRouteFor, RouteKindTarget, tcpRouteFor } from '../gateway-api/profile';
import { deliveryEngines } from '../shared/delivery-engines';

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
  /** Linkerd 2.18: Gateway API `v1` HTTPRoute; honours Gateway API v1.1.1 to v1.2.1 */
  public static readonly V2_18 = new LinkerdVersion(18);
  /** Linkerd 2.19: the linkerd-crds chart no longer installs the Gateway API CRDs */
  public static readonly V2_19 = new LinkerdVersion(19);
  /** Linkerd 2.20: accepts Gateway API up to v1.5.1, but ignores routes that use fields newer than v1.2.1 */
  public static readonly V2_20 = new LinkerdVersion(20);

  /**
   * Any release as `2.<minor>` or `2.<minor>.<patch>`, e.g. `"2.19"`. For an edge release, give the
   * stable version it corresponds to.
   */
  public static of(version: string): LinkerdVersion {
    const m = typeof version === 'string' ? /^2\.(\d{1,3})(\.\d+)?$/.exec(version) : null;
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
   * @default LinkerdVersion.V2_20
   */
  readonly version?: LinkerdVersion;

  /**
   * The Gateway API release the cluster runs. Linkerd honours only the fields of the release it
   * supports (v1.2.1 from 2.18, v1.1.1 before), whatever is installed: newer fields are never emitted.
   * @default - GatewayApiBundle.V1_2 for Linkerd 2.18 and later, GatewayApiBundle.V1_1 (experimental channel) before
   * @see https://linkerd.io/2/features/gateway-api/
   */
  readonly gatewayApiBundle?: GatewayApiBundle;

  /**
   * The cluster runs Gateway API's experimental channel (for ingress: TLSRoute before v1.5).
   * @default - true before Linkerd 2.18 (its Gateway API is the experimental channel), false from 2.18
   */
  readonly experimentalChannel?: boolean;

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

/** What a Linkerd configuration targets, decided once for every Linkerd renderer. */
export interface LinkerdApis {
  /** policy.linkerd.io Server */
  readonly server: string;
  /** policy.linkerd.io HTTPRoute */
  readonly policyRoute: string;
  /** policy.linkerd.io AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication */
  readonly authorization: string;
  /** the version of gateway.networking.k8s.io HTTPRoutes (GAMMA) */
  readonly gatewayApiVersion: string;
  /** split.smi-spec.io TrafficSplit */
  readonly trafficSplit: string;
  /** linkerd.io ServiceProfile */
  readonly serviceProfile: string;
  /** the Gateway API of mesh routes: what the cluster serves and Linkerd honours */
  readonly gatewayApi: GatewayApiProfile;
  /** the Gateway API of ingress routes, read by the gateway implementation (not Linkerd) */
  readonly ingressGatewayApi: GatewayApiProfile;
}

/**
 * Server is served as v1beta3 from Linkerd 2.16 (v1beta2 in 2.15, v1beta1 before); Linkerd
 * reads Gateway API HTTPRoutes as v1 from 2.18 and as v1beta1 before.
 * @see https://linkerd.io/2/reference/authorization-policy/
 */
export function linkerdApis(minor: number, options: {
  gatewayApiVersion?: GatewayApiVersion;
  smiApiVersion?: SmiApiVersion;
  gatewayApiBundle?: GatewayApiBundle;
  experimentalChannel?: boolean;
} = {}): LinkerdApis {
  const { gatewayApiVersion, smiApiVersion } = options;
  // Linkerd 2.15-2.17 support Gateway API 0.7 to 1.1.1 (their chart installs the experimental
  // channel); 2.18-2.20 support 1.1.1 to 1.2.1 (2.20 accepts up to 1.5.1 but ignores routes with
  // fields newer than 1.2.1). Source: linkerd.io features/gateway-api.md of each release.
  const honours = minor >= 18 ? { minor: 2, experimental: false } : { minor: 1, experimental: true };
  const bundle = options.gatewayApiBundle ?? GatewayApiBundle.of(`v1.${honours.minor}`);
  const experimental = options.experimentalChannel ?? honours.experimental;
  const routeVersion = gatewayApiVersion ?? (minor >= 18 ? GatewayApiVersion.V1 : GatewayApiVersion.V1BETA1);
  const name = `Linkerd 2.${minor}`;
  // GRPCRoute drives outbound policy from 2.16 (v1alpha2; v1 from 2.18: linkerd.io
  // features/gateway-api.md), TCPRoute from 2.17 (v1alpha2, policy-controller/k8s/api: the
  // experimental gateway-api types). Before, there is nothing to emit.
  const before = (kind: string, what: string, since: number): RouteKindTarget => ({
    unsupported: {
      feature: `${what} (${kind}) before Linkerd 2.${since} (targeting ${name})`,
      instead: `Linkerd reads ${kind} from 2.${since}: target a newer Linkerd, or use LinkerdRoutingApi.SMI (a TrafficSplit splits any protocol, by weight only)`,
    },
  });
  const grpcRoute = minor < 16 ? before('GRPCRoute', 'gRPC routing', 16)
    : grpcRouteFor(bundle.minor, experimental, minor >= 18 ? 'v1' : 'v1alpha2', name);
  const tcpRoute = minor < 17 ? before('TCPRoute', 'TCP routing', 17) : tcpRouteFor(bundle.minor, experimental, 'v1alpha2', name);
  return {
    server: `policy.linkerd.io/${minor >= 16 ? 'v1beta3' : minor === 15 ? 'v1beta2' : 'v1beta1'}`,
    policyRoute: 'policy.linkerd.io/v1beta3',
    authorization: 'policy.linkerd.io/v1alpha1',
    gatewayApiVersion: routeVersion,
    trafficSplit: `split.smi-spec.io/${smiApiVersion ?? SmiApiVersion.V1ALPHA1}`,
    serviceProfile: 'linkerd.io/v1alpha2',
    gatewayApi: gatewayApiProfile({ bundle, experimental, apiVersion: routeVersion, honours: { name, ...honours }, grpcRoute, tcpRoute }),
    ingressGatewayApi: gatewayApiProfile({ bundle, experimental, apiVersion: gatewayApiVersion ?? GatewayApiVersion.V1 }),
  };
}

/** Linkerd's renderers for one configuration. */
export function linkerdRenderers(options: LinkerdProviderOptions): ProviderRenderers {
  const factory = 'MeshProvider.linkerd';
  checkProps(factory, options, {
    version: optional(instanceOf(LinkerdVersion, 'LinkerdVersion (LinkerdVersion.V2_18, LinkerdVersion.of(\'2.19\'))')),
    routingApi: optional(enumOf(LinkerdRoutingApi, 'LinkerdRoutingApi')),
    gatewayApiVersion: optional(enumOf(GatewayApiVersion, 'GatewayApiVersion')),
    smiApiVersion: optional(enumOf(SmiApiVersion, 'SmiApiVersion')),
    clusterDomain: optional(string({ max: 253, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, rule: 'a DNS name, e.g. "cluster.local"' })),
  });
  const version = options.version ?? LinkerdVersion.V2_20;
  const routingApi = options.routingApi ?? LinkerdRoutingApi.GATEWAY_API;
  const release: LinkerdRelease = { minor: version.minor, name: `Linkerd ${version.version}` };
  const clusterDomain = options.clusterDomain ?? 'cluster.local';
  if (!isDns1123Subdomain(clusterDomain)) invalidOption(factory, 'clusterDomain', clusterDomain, 'a DNS name, e.g. "cluster.local"');
  const only = (name: string, value: unknown, api: LinkerdRoutingApi) => {
    if (value !== undefined && routingApi !== api) {
      invalidOption(factory, name, value, `used only with routingApi LinkerdRoutingApi.${api === LinkerdRoutingApi.SMI ? 'SMI' : 'GATEWAY_API'} (routingApi is "${routingApi}")`);
    }
  };
  only('gatewayApiVersion', options.gatewayApiVersion, LinkerdRoutingApi.GATEWAY_API);
  only('smiApiVersion', options.smiApiVersion, LinkerdRoutingApi.SMI);
  if (routingApi !== LinkerdRoutingApi.SMI && version.minor < 14) {
    invalidOption(factory, 'routingApi', routingApi, `LinkerdRoutingApi.SMI for Linkerd ${version.version}: HTTPRoutes for mesh traffic need Linkerd 2.14 or later`);
  }
  const apis = linkerdApis(version.minor, options);
  const traffic = routingApi === LinkerdRoutingApi.SMI ? new SmiRouting(apis, clusterDomain)
    : routingApi === LinkerdRoutingApi.POLICY ? new LinkerdPolicyRouting(release, apis)
      : new GammaRouting(apis.gatewayApi, release.name, { extension: new LinkerdRoutePolicy(release, 16) });
  return {
    name: 'linkerd',
    key: JSON.stringify(['linkerd', version.minor, routingApi, apis, clusterDomain]),
    target: {
      linkerd: version.minor,
      gatewayApi: apis.gatewayApi.bundle,
      gatewayApiChannel: apis.gatewayApi.experimental ? 'experimental' : 'standard',
      honours: apis.gatewayApi.honours,
    },
    dataPlane: new LinkerdDataPlane(),
    traffic,
    delivery: deliveryEngines({
      displayName: `${release.name} (${routingApi === LinkerdRoutingApi.SMI ? `SMI ${apis.trafficSplit} TrafficSplit`
        : routingApi === LinkerdRoutingApi.POLICY ? `${apis.policyRoute} HTTPRoute` : `gateway.networking.k8s.io/${apis.gatewayApiVersion} HTTPRoute`})`,
      mesh: 'linkerd',
      routing: routingApi === LinkerdRoutingApi.SMI ? 'smi' : routingApi === LinkerdRoutingApi.POLICY ? 'linkerd-policy' : 'gamma',
      gatewayApiVersion: apis.gatewayApiVersion,
      smiApiVersion: apis.trafficSplit,
      traffic,
    }),
    // Linkerd has no ingress of its own: north-south routes go through Gateway API, for the
    // gateway implementation the user names.
    ingress: new GatewayApiIngress(apis.ingressGatewayApi, release.name, { regexPaths: false }),
    security: new LinkerdSecurity(release, apis),
  };
}
