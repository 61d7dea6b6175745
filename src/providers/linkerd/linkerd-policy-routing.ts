import { LinkerdRelease, LinkerdRoutePolicy } from './linkerd-route-policy';
import type { LinkerdApis } from './options';
import { HostIntent, RouteIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { ServiceProtocol } from '../../model/protocol';
import { HostObjectSink, TrafficRenderer, Unsupported } from '../../model/renderer';
import { gammaRouteSpec, gammaUnsupported, withMeshReasons } from '../gateway-api/gamma-routing';

/**
 * Linkerd's own HTTPRoute (`policy.linkerd.io/v1beta3`), for clusters without the Gateway API
 * CRDs. Same shape as Gateway API's HTTPRoute, without rule names, a mirror filter or response header changes.
 * @see https://linkerd.io/2/reference/httproute/
 */
export class LinkerdPolicyRouting implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices = true;
  private readonly policy: LinkerdRoutePolicy;

  constructor(release: LinkerdRelease, private readonly apis: LinkerdApis) {
    this.policy = new LinkerdRoutePolicy(release, 14);
    this.displayName = `${release.name} (${apis.policyRoute} HTTPRoute)`;
  }

  public unsupported(route: RouteIntent, protocol: ServiceProtocol = ServiceProtocol.HTTP): Unsupported[] {
    if (protocol === ServiceProtocol.GRPC || protocol === ServiceProtocol.TCP) {
      // policy.linkerd.io has an HTTPRoute only: GRPCRoute and TCPRoute are Gateway API kinds,
      // and this routing API is for clusters without them (linkerd.io reference/httproute.md).
      const [kind, since] = protocol === ServiceProtocol.GRPC ? ['GRPCRoute', '2.16'] : ['TCPRoute', '2.17'];
      return [{
        feature: `routing a ${protocol === ServiceProtocol.GRPC ? 'gRPC' : 'TCP'} host`,
        instead: `policy.linkerd.io has no ${kind}: use LinkerdRoutingApi.GATEWAY_API (Gateway API ${kind}, Linkerd ${since}+), or LinkerdRoutingApi.SMI (a TrafficSplit, weights only)`,
      }];
    }
    const out = withMeshReasons(gammaUnsupported(route), this.policy.unsupported(route, protocol));
    if (route.responseHeaders) {
      // policy.linkerd.io/v1beta3 HTTPRoute filters: RequestHeaderModifier and RequestRedirect only (its CRD schema).
      out.push({ feature: 'response header changes on a policy.linkerd.io HTTPRoute', instead: 'use LinkerdRoutingApi.GATEWAY_API (ResponseHeaderModifier), or drop responseHeaders' });
    }
    return out;
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string, protocol: ServiceProtocol = ServiceProtocol.HTTP): Unsupported[] {
    return this.policy.unsupportedPolicy(policy, version, protocol);
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    if (host.routes.length > 0) {
      sink.emit('Resource', {
        apiVersion: this.apis.policyRoute,
        kind: 'HTTPRoute',
        metadata: { name: host.name, namespace: host.namespace, annotations: this.policy.annotations(host) },
        spec: gammaRouteSpec(host, { ruleNames: false, mirrorPercent: false, describe: this.displayName }),
      });
    }
    this.policy.renderPolicy(sink, host);
  }
}
