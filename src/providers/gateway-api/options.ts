/**
 * The public options of `MeshProvider.gatewayApi()` and the Gateway API versions other providers
 * name, and the wiring that turns them into renderers.
 */
import { GammaRouting } from './gamma-routing';
import { GenericDataPlane } from './gateway-api-data-plane';
import { GatewayApiIngress } from './gateway-api-ingress';
import { GatewayApiSecurity } from './gateway-api-security';
import { GatewayApiBundle, gatewayApiProfile } from './profile';
import { ProviderRenderers } from '../../model/renderer';
import { boolean, checkProps, enumOf, optional } from '../../private/validation';
import { deliveryEngines } from '../shared/delivery-engines';

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

  /**
   * The Gateway API release the cluster runs: only fields and kinds it serves are emitted, and a
   * feature it lacks is an error naming the release that adds it.
   * @default GatewayApiBundle.V1_6
   */
  readonly gatewayApiBundle?: GatewayApiBundle;
}

/** "Any GAMMA mesh", standard features only: every API version is decided here. */
export function gatewayApiRenderers(options: GatewayApiProviderOptions): ProviderRenderers {
  checkProps('MeshProvider.gatewayApi', options, {
    apiVersion: optional(enumOf(GatewayApiVersion, 'GatewayApiVersion')),
    experimentalChannel: optional(boolean),
  });
  const bundle = options.gatewayApiBundle ?? GatewayApiBundle.V1_6;
  const experimental = options.experimentalChannel ?? false;
  const profile = gatewayApiProfile({ bundle, experimental, apiVersion: options.apiVersion ?? GatewayApiVersion.V1 });
  const traffic = new GammaRouting(profile, 'Gateway API');
  return {
    name: 'gateway-api',
    key: JSON.stringify(['gateway-api', profile]),
    target: { gatewayApi: bundle.minor, gatewayApiChannel: experimental ? 'experimental' : 'standard' },
    dataPlane: new GenericDataPlane(),
    traffic,
    delivery: deliveryEngines({
      displayName: `Gateway API (gateway.networking.k8s.io/${profile.apiVersion} HTTPRoute)`,
      mesh: 'gateway-api',
      routing: 'gamma',
      gatewayApiVersion: profile.apiVersion,
      traffic,
    }),
    ingress: new GatewayApiIngress(profile, 'Gateway API', { regexPaths: false }),
    security: new GatewayApiSecurity(),
  };
}
