import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IMeshHost } from '../mesh-host';
import { MeshHost } from '../model/host';
import { HttpRetryPolicy } from '../model/retry';
import { checkPort, checkServiceName, invalid } from '../private/errors';
import { positiveDuration, retryIntent } from '../private/retry';

/**
 * Props for `RoutePolicy`.
 */
export interface RoutePolicyProps {
  /** The host whose routes the policy applies to. */
  readonly host: IMeshHost;

  /**
   * Retries for every route of the host.
   * @default - the mesh's default
   */
  readonly retries?: HttpRetryPolicy;

  /**
   * Request timeout for every route of the host.
   * @default - the mesh's default
   */
  readonly timeout?: Duration;
}

/**
 * Retries and timeouts for all routes of a host, with or without a canary on it. They merge
 * into the host's single route object; setting the same thing here and on a route is an error.
 */
export class RoutePolicy extends Construct {
  constructor(scope: Construct, id: string, props: RoutePolicyProps) {
    super(scope, id);
    const { host } = props;
    checkServiceName(this, 'host.hostName', host.hostName);
    checkPort(this, 'host.port', host.port);
    if (props.retries === undefined && props.timeout === undefined) {
      invalid(this, 'retries/timeout', undefined, 'set (a route policy needs retries, a timeout or both)');
    }
    if (props.timeout !== undefined) positiveDuration(this, 'timeout', props.timeout);
    const retries = props.retries ? retryIntent(this, 'retries', props.retries, props.timeout) : undefined;
    const provider = host.mesh.provider;
    MeshHost.obtain(this, { key: provider._key, traffic: provider._traffic },
      { name: host.hostName, namespace: host.hostNamespace, port: host.port })
      .setRouteDefaults({ source: this, retries, timeout: props.timeout });
  }
}
