import { LinkerdRelease, LinkerdRoutePolicy } from './linkerd-route-policy';
import type { LinkerdApis } from './options';
import { HostIntent, RouteIntent, VersionTrafficPolicyIntent } from '../../model/intents';
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

  public unsupported(route: RouteIntent): Unsupported[] {
    const out = withMeshReasons(gammaUnsupported(route), this.policy.unsupported(route));
    if (route.responseHeaders) {
      // policy.linkerd.io/v1beta3 HTTPRoute filters: RequestHeaderModifier and RequestRedirect only (its CRD schema).
      out.push({ feature: 'response header changes on a policy.linkerd.io HTTPRoute', instead: 'use LinkerdRoutingApi.GATEWAY_API (ResponseHeaderModifier), or drop responseHeaders' });
    }
    return out;
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string): Unsupported[] {
    return this.policy.unsupportedPolicy(policy, version);
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
