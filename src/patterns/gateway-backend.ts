import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CanaryRelease } from './canary-release';
import { IMeshHost } from '../mesh-host';
import { DeliveryEngine } from '../model/delivery';
import { GatewayBackendIntent, IngressBackendIntent } from '../model/ingress';
import { ServiceProtocol } from '../model/protocol';
import { checkDns1123Label, checkPort, checkServiceName, invalid } from '../private/errors';
import { checkProps, number, optional } from '../private/validation';
import { serviceRef } from '../private/workload';

/**
 * Options for `GatewayBackend.service()`.
 */
export interface GatewayServiceBackendOptions {
  /**
   * The namespace of the Service. A Service in another namespace than the route gets a
   * ReferenceGrant there on Gateway API, and is addressed by its FQDN on Istio.
   * @default - the chart's namespace
   * @see https://gateway-api.sigs.k8s.io/api-types/referencegrant/
   */
  readonly namespace?: string;

  /**
   * The backend's share of the rule's traffic, in percent. A rule with several backends sets it
   * on each, adding up to 100.
   * @default - all of the rule's traffic (a single backend)
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref
   */
  readonly weight?: number;
}

/**
 * Options for `GatewayBackend.host()`.
 */
export interface GatewayHostBackendOptions {
  /**
   * The backend's share of the rule's traffic, in percent.
   * @default - all of the rule's traffic (a single backend)
   */
  readonly weight?: number;
}

/**
 * Where a gateway rule sends requests.
 */
export class GatewayBackend {
  /**
   * A Service by name and port (the seeds' `reviews` / `reviews-v2` split, or anything not
   * declared with this library).
   */
  public static service(name: string, port: number, options: GatewayServiceBackendOptions = {}): GatewayBackend {
    options = options ?? {};
    return new GatewayBackend(() => [{ service: name, port, namespace: options.namespace, weight: options.weight }], options.weight);
  }

  /**
   * A Service of this app (e.g. a `MeshWorkload`'s or one you declare, of any cdk8s-plus line, a
   * `KubeService` or one read with `Include`): its name, namespace and first port, read at synth.
   */
  public static fromService(service: IConstruct, options: GatewayHostBackendOptions = {}): GatewayBackend {
    return new GatewayBackend(scope => {
      const ref = serviceRef('GatewayBackend.fromService', service);
      const port = ref.ports[0];
      if (port === undefined) invalid(scope, 'backends', service.node.path, 'a Service with at least one port');
      return [{ service: ref.name, namespace: ref.namespace, port, weight: options.weight }];
    }, options.weight);
  }

  /**
   * A mesh host (a `CanaryRelease`, or `ServiceHost.fromAttributes()`): the gateway sends to the
   * host's Service. The host's own routes (a release's split) apply where the mesh applies them
   * to traffic from the gateway: a meshed gateway on Linkerd or a GAMMA mesh does; Istio's
   * ingress gateway does not apply mesh VirtualServices, so use `GatewayBackend.canary()` to
   * split at the gateway there.
   */
  public static host(host: IMeshHost, options: GatewayHostBackendOptions = {}): GatewayBackend {
    return new GatewayBackend((scope, prop) => [{
      service: host.hostName, namespace: hostNamespace(scope, prop, host), port: host.port, weight: options.weight,
    }], options.weight, undefined, host.protocol ?? undefined);
  }

  /**
   * The versions of a `CanaryRelease`, split at the gateway with the release's current weights:
   * Istio routes to the release's subsets, Gateway API to its per-version Services
   * (`<service>-<version>`). Must be the rule's only backend.
   */
  public static canary(release: CanaryRelease): GatewayBackend {
    return new GatewayBackend((scope, prop) => {
      if (release.delivery.engine !== DeliveryEngine.STEPS) {
        // The controller moves the weights in the mesh; a split at the gateway would stay at the Git step.
        invalid(scope, prop, release.node.path, `GatewayBackend.host(release) for a release that ${release.delivery.engine === DeliveryEngine.FLAGGER ? 'Flagger' : 'Argo Rollouts'} drives: `
          + 'the controller moves the weights of the mesh route, which a split at the gateway would bypass');
      }
      const namespace = hostNamespace(scope, prop, release);
      const version = (name: string, weight: number): IngressBackendIntent => ({
        service: release.hostName,
        namespace,
        port: release.port,
        weight,
        version: name,
        versionService: release.mesh.provider._renderers.traffic.versionServices ? `${release.hostName}-${name}` : undefined,
      });
      return [version(release.stableVersion, 100 - release.canaryWeight), version(release.canaryVersion, release.canaryWeight)];
    }, undefined, { source: release, mesh: release.mesh }, release.protocol);
  }

  private constructor(
    private readonly resolve: (scope: IConstruct, prop: string) => IngressBackendIntent[],
    private readonly weight: number | undefined,
    private readonly release?: GatewayBackendIntent['release'],
    private readonly protocol?: ServiceProtocol) {}

  /**
   * @internal the validated backends (a canary gives one per version); `prop` names this backend
   * in errors. What needs the rule or the gateway is the caller's to check: that a release is the
   * rule's only backend, and that the gateway's mesh provider is the release's.
   */
  public _toIntent(scope: IConstruct, prop: string): GatewayBackendIntent {
    checkProps(scope, { weight: this.weight }, { weight: optional(number(0, 100)) }, `${prop}.`);
    const out = this.resolve(scope, prop);
    for (const b of out) {
      checkServiceName(scope, `${prop}.name`, b.versionService ?? b.service);
      checkPort(scope, `${prop}.port`, b.port);
      if (b.namespace != null) checkDns1123Label(scope, `${prop}.namespace`, b.namespace);
    }
    if (this.weight !== undefined && (!Number.isInteger(this.weight) || this.weight < 0 || this.weight > 100)) {
      invalid(scope, `${prop}.weight`, this.weight, 'an integer in 0..100');
    }
    return { backends: out, release: this.release, protocol: this.protocol };
  }
}

/**
 * The namespace of a host's Service. A host declared in a chart (a CanaryRelease) lives in its
 * own namespace or its chart's, never silently in the route's: when neither is known, the
 * route could only guess, so it is an error. A host declared elsewhere without a namespace
 * (`ServiceHost.fromAttributes`) is in the namespace of the chart that uses it, as documented.
 */
function hostNamespace(scope: IConstruct, prop: string, host: IMeshHost): string | undefined {
  if (host.hostNamespace !== undefined || !Construct.isConstruct(host)) return host.hostNamespace;
  const namespace = Chart.of(host).namespace;
  if (namespace === undefined) {
    invalid(scope, prop, (host as IConstruct).node.path,
      'a host whose namespace is known: set the namespace of the release (or of its chart), so the route names the namespace its Service is in');
  }
  return namespace;
}
