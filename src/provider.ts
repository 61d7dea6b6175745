import { ProviderRenderers } from './model/renderer';
import { GatewayApiProviderOptions, gatewayApiRenderers } from './providers/gateway-api/options';
import { IstioProviderOptions, istioRenderers } from './providers/istio/options';
import { LinkerdProviderOptions, linkerdRenderers } from './providers/linkerd/options';

/**
 * A service mesh and the API its routing is driven through. The same constructs rendered with
 * another provider yield that mesh's objects; what a provider cannot express is a synth-time
 * error, never a dropped setting.
 *
 * Each factory is thin: a provider's options, enums and wiring live in its own folder
 * (src/providers/<name>/options.ts). Adding a provider is one folder, one factory here and one
 * row in the test matrix.
 */
export class MeshProvider {
  /**
   * Istio with sidecars (or ambient mode). Routing through Istio's own API by default, or through
   * Gateway API.
   */
  public static istio(options: IstioProviderOptions = {}): MeshProvider {
    return new MeshProvider(istioRenderers(options));
  }

  /**
   * Linkerd. Routing through Gateway API HTTPRoutes by default, or Linkerd's own HTTPRoute, or
   * SMI TrafficSplit (linkerd-smi) for older clusters; the version decides the API versions and
   * how retries and timeouts are expressed.
   */
  public static linkerd(options: LinkerdProviderOptions = {}): MeshProvider {
    return new MeshProvider(linkerdRenderers(options));
  }

  /**
   * Any mesh that implements Gateway API for east-west traffic (GAMMA), through standard
   * features only. Injection and proxy sizing are left to the mesh's namespace configuration.
   */
  public static gatewayApi(options: GatewayApiProviderOptions = {}): MeshProvider {
    return new MeshProvider(gatewayApiRenderers(options));
  }

  /** @internal a provider for renderers a control plane chose (MeshInstall) */
  public static _of(renderers: ProviderRenderers): MeshProvider {
    return new MeshProvider(renderers);
  }

  /** @internal every renderer of this configuration */
  public readonly _renderers: ProviderRenderers;

  /**
   * The provider's name: `istio`, `linkerd` or `gateway-api`.
   */
  public readonly name: string;

  private constructor(renderers: ProviderRenderers) {
    this.name = renderers.name;
    this._renderers = renderers;
  }
}
