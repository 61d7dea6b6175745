import { IMesh } from './mesh';
import { checkProps, dns1123Label, finiteNumber, meshRef, optional, required, string } from './private/validation';

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
  /** The Service port that serves HTTP. */
  readonly port: number;
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
  /** The Service port that serves HTTP. */
  readonly port: number;
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
      mesh: required(meshRef), serviceName: required(string()), namespace: optional(dns1123Label), port: required(finiteNumber),
    }, '');
    return { mesh: attrs.mesh, hostName: attrs.serviceName, hostNamespace: attrs.namespace ?? undefined, port: attrs.port };
  }

  private constructor() {}
}
