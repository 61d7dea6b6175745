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

/** The API versions a Linkerd configuration emits, decided once for every Linkerd renderer. */
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
}

/**
 * Server is served as v1beta3 from Linkerd 2.16 (v1beta2 in 2.15, v1beta1 before); Linkerd
 * reads Gateway API HTTPRoutes as v1 from 2.18 and as v1beta1 before.
 * @see https://linkerd.io/2/reference/authorization-policy/
 */
export function linkerdApis(minor: number, gatewayApiVersion?: GatewayApiVersion, smiApiVersion?: SmiApiVersion): LinkerdApis {
  return {
    server: `policy.linkerd.io/${minor >= 16 ? 'v1beta3' : minor === 15 ? 'v1beta2' : 'v1beta1'}`,
    policyRoute: 'policy.linkerd.io/v1beta3',
    authorization: 'policy.linkerd.io/v1alpha1',
    gatewayApiVersion: gatewayApiVersion ?? (minor >= 18 ? GatewayApiVersion.V1 : GatewayApiVersion.V1BETA1),
    trafficSplit: `split.smi-spec.io/${smiApiVersion ?? SmiApiVersion.V1ALPHA1}`,
    serviceProfile: 'linkerd.io/v1alpha2',
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
  const version = options.version ?? LinkerdVersion.V2_18;
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
  const apis = linkerdApis(version.minor, options.gatewayApiVersion, options.smiApiVersion);
  const traffic = routingApi === LinkerdRoutingApi.SMI ? new SmiRouting(apis, clusterDomain)
    : routingApi === LinkerdRoutingApi.POLICY ? new LinkerdPolicyRouting(release, apis)
      : new GammaRouting(apis.gatewayApiVersion, release.name, { extension: new LinkerdRoutePolicy(release, 16) });
  return {
    name: 'linkerd',
    key: JSON.stringify(['linkerd', version.minor, routingApi, apis, clusterDomain]),
    dataPlane: new LinkerdDataPlane(),
    traffic,
    // Linkerd has no ingress of its own: north-south routes go through Gateway API, for the
    // gateway implementation the user names.
    ingress: new GatewayApiIngress(options.gatewayApiVersion ?? GatewayApiVersion.V1, release.name, { regexPaths: false }),
    security: new LinkerdSecurity(release, apis),
  };
}
