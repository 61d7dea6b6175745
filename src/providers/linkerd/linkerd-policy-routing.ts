import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LinkerdRelease, LinkerdRoutePolicy } from './linkerd-route-policy';
import { HostIntent, RouteIntent, TrafficPolicyIntent } from '../../model/intents';
import { gammaRouteSpec, gammaUnsupported } from '../gateway-api/gamma-routing';
import { HostServices, TrafficRenderer, Unsupported } from '../renderer';

/**
 * Linkerd's own HTTPRoute (`policy.linkerd.io/v1beta3`), for clusters without the Gateway API
 * CRDs. Same shape as Gateway API's HTTPRoute, without rule names or a mirror filter.
 * @see https://linkerd.io/2/reference/httproute/
 */
export class LinkerdPolicyRouting implements TrafficRenderer {
  public readonly displayName = 'Linkerd (policy.linkerd.io/v1beta3 HTTPRoute)';
  public readonly versionServices = true;
  private readonly policy: LinkerdRoutePolicy;

  constructor(release: LinkerdRelease) {
    this.policy = new LinkerdRoutePolicy(release, 14);
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    return [...gammaUnsupported(route), ...this.policy.unsupported(route)];
  }

  public unsupportedPolicy(policy: TrafficPolicyIntent): Unsupported[] {
    return this.policy.unsupportedPolicy(policy);
  }

  public render(scope: Construct, host: HostIntent, services: HostServices): void {
    if (host.routes.length > 0) {
      new ApiObject(scope, 'HTTPRoute', {
        apiVersion: 'policy.linkerd.io/v1beta3',
        kind: 'HTTPRoute',
        metadata: { name: host.name, namespace: host.namespace, annotations: this.policy.annotations(host) },
        spec: gammaRouteSpec(host, { ruleNames: false }),
      });
    }
    this.policy.renderPolicy(scope, host, services);
  }
}
