import { IMesh } from './mesh';
import { ServiceProtocol } from './model/protocol';
import { checkProps, dns1123Label, enumOf, finiteNumber, meshRef, optional, required, string } from './private/validation';

/**
 * A service host that routing and policy constructs can target: a `CanaryRelease`, or a service
 * declared elsewhere (`ServiceHost.fromAttributes`).
 */
export interface IMeshHost {
  /** The mesh that renders the host. */
  readonly mesh: IMesh;
  /** The Service name. */
  readonly hostName: string;
  /** The Service namespace (undefined: the chart's namespace). */
  readonly hostNamespace?: string;
  /** The Service port. */
  readonly port: number;
  /**
   * What the port serves.
   * @default - the protocol of the host as declared in this chart (HTTP if nothing else declares it)
   */
  readonly protocol?: ServiceProtocol;
}

/**
 * Attributes of a service declared outside this library.
 */
export interface ServiceHostAttributes {
  /** The mesh that renders the host. */
  readonly mesh: IMesh;
  /** The Service name. */
  readonly serviceName: string;
  /**
   * The Service namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** The Service port. */
  readonly port: number;
  /**
   * What the port serves: policies check what applies (a TCP host has no retries or timeouts).
   * A construct in this chart that declares the host with another protocol is an error.
   * @default - the protocol of the host as declared in this chart (HTTP if nothing else declares it)
   */
  readonly protocol?: ServiceProtocol;
}

/**
 * References to service hosts.
 */
export class ServiceHost {
  /**
   * A Service that exists already (created by another chart or tool).
   */
  public static fromAttributes(attrs: ServiceHostAttributes): IMeshHost {
    checkProps('ServiceHost.fromAttributes', attrs, {
      mesh: required(meshRef),
      serviceName: required(string()),
      namespace: optional(dns1123Label),
      port: required(finiteNumber),
      protocol: optional(enumOf(ServiceProtocol, 'ServiceProtocol')),
    }, '');
    return {
      mesh: attrs.mesh,
      hostName: attrs.serviceName,
      hostNamespace: attrs.namespace ?? undefined,
      port: attrs.port,
      protocol: attrs.protocol ?? undefined,
    };
  }

  private constructor() {}
}
