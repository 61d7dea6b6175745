import { IConstruct } from 'constructs';
import { CertificateIntent, ListenerIntent } from '../model/ingress';
import { checkDns1123Label, checkPort, invalid } from '../private/errors';
import { checkHostname } from '../private/hostname';
import { arrayOf, boolean, checkProps, dns1123Label, dns1123Subdomain, enumOf, hostname, instanceOf, optional, portNumber, required } from '../private/validation';

/**
 * The kind of cert-manager issuer that signs a certificate.
 * @see https://cert-manager.io/docs/reference/api-docs/#meta.cert-manager.io/v1.IssuerReference
 */
export enum CertManagerIssuerKind {
  /** a namespaced `Issuer` (in the certificate's namespace) */
  ISSUER = 'Issuer',
  /** a cluster-wide `ClusterIssuer` */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/**
 * Options for `TlsCertificate.fromSecret()`.
 */
export interface TlsSecretOptions {
  /**
   * The namespace of the Secret. On Gateway API a Secret in another namespace than the gateway
   * gets a ReferenceGrant there. On Istio's API the Secret is read from the namespace of the
   * ingress gateway pods, so this only documents where it is.
   * @default - the gateway's namespace
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#secretobjectreference
   */
  readonly namespace?: string;
}

/**
 * Options for `TlsCertificate.certManager()`.
 */
export interface CertManagerCertificateOptions {
  /**
   * The Secret cert-manager writes the key pair to (also the Certificate's name).
   * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec
   */
  readonly secretName: string;

  /**
   * The namespace of the Certificate and its Secret.
   * @default - the gateway's namespace
   */
  readonly namespace?: string;

  /**
   * The name of the issuer that signs the certificate.
   * @see https://cert-manager.io/docs/reference/api-docs/#meta.cert-manager.io/v1.IssuerReference
   */
  readonly issuerName: string;

  /**
   * The kind of the issuer.
   * @default CertManagerIssuerKind.CLUSTER_ISSUER
   */
  readonly issuerKind?: CertManagerIssuerKind;

  /**
   * The DNS names the certificate covers.
   * @default - the listener's hostname, or else the hostnames of every route attached to it
   * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec
   */
  readonly dnsNames?: string[];
}

/**
 * The key pair a listener terminates TLS with.
 */
export class TlsCertificate {
  /**
   * A `kubernetes.io/tls` Secret that exists (created by hand, by cert-manager elsewhere, or by
   * an external secret operator). Istio: `tls.credentialName`; Gateway API: `certificateRefs`.
   */
  public static fromSecret(secretName: string, options: TlsSecretOptions = {}): TlsCertificate {
    return new TlsCertificate({ secretName, namespace: options?.namespace ?? undefined });
  }

  /**
   * A cert-manager `Certificate` (cert-manager.io/v1) that the gateway creates, and the Secret
   * cert-manager keeps renewed for it.
   * @see https://cert-manager.io/docs/usage/certificate/
   */
  public static certManager(options: CertManagerCertificateOptions): TlsCertificate {
    options = options ?? {};
    return new TlsCertificate({
      secretName: options.secretName,
      namespace: options.namespace,
      certManager: {
        issuerName: options.issuerName,
        issuerKind: options.issuerKind ?? CertManagerIssuerKind.CLUSTER_ISSUER,
        dnsNames: options.dnsNames,
      },
    });
  }

  private constructor(private readonly intent: CertificateIntent) {}

  /** @internal */
  public _toIntent(scope: IConstruct, prop: string): CertificateIntent {
    checkProps(scope, this.intent, { secretName: required(dns1123Label), namespace: optional(dns1123Label) }, `${prop}.`);
    if (this.intent.certManager) {
      checkProps(scope, this.intent.certManager, {
        issuerName: required(dns1123Subdomain),
        issuerKind: required(enumOf(CertManagerIssuerKind, 'CertManagerIssuerKind')),
        dnsNames: optional(arrayOf(hostname, { min: 1, unique: true })),
      }, `${prop}.`);
    }
    const { secretName, namespace, certManager } = this.intent;
    checkDns1123Label(scope, `${prop}.secretName`, secretName);
    if (namespace != null) checkDns1123Label(scope, `${prop}.namespace`, namespace);
    if (certManager) {
      if (certManager.issuerName.trim() === '') invalid(scope, `${prop}.issuerName`, certManager.issuerName, 'non-empty');
      if (certManager.dnsNames?.length === 0) invalid(scope, `${prop}.dnsNames`, [], 'non-empty (omit it to cover the listener\'s or the routes\' hostnames)');
      certManager.dnsNames?.forEach((d, i) => checkHostname(scope, `${prop}.dnsNames[${i}]`, d));
    }
    // jsii callers pass null for "left out"
    return { ...this.intent, namespace: namespace ?? undefined };
  }
}

/**
 * Options for `GatewayListener.http()`.
 */
export interface HttpListenerOptions {
  /**
   * The listener's name: the Gateway API `sectionName` routes attach to, Istio's port name.
   * @default "http"
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#listener
   */
  readonly name?: string;

  /**
   * The port.
   * @default 80
   */
  readonly port?: number;

  /**
   * The only host the listener accepts (a leading `*.` is a wildcard).
   * @default - any host
   */
  readonly hostname?: string;

  /**
   * Answer every request with a 301 redirect to `https://` instead of routing it.
   * Istio: `tls.httpsRedirect`; Gateway API: an HTTPRoute with a `RequestRedirect` filter on
   * this listener.
   * @default false
   * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
   */
  readonly redirectToHttps?: boolean;
}

/**
 * Options for `GatewayListener.https()`.
 */
export interface HttpsListenerOptions {
  /**
   * The listener's name.
   * @default "https"
   */
  readonly name?: string;

  /**
   * The port.
   * @default 443
   */
  readonly port?: number;

  /**
   * The only host the listener accepts (a leading `*.` is a wildcard).
   * @default - any host
   */
  readonly hostname?: string;

  /**
   * The key pair TLS is terminated with.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#listenertlsconfig
   */
  readonly certificate: TlsCertificate;
}

/**
 * Options for `GatewayListener.tlsPassthrough()`.
 */
export interface TlsPassthroughListenerOptions {
  /**
   * The listener's name.
   * @default "tls"
   */
  readonly name?: string;

  /**
   * The port.
   * @default 443
   */
  readonly port?: number;

  /**
   * The only host (SNI) the listener accepts (a leading `*.` is a wildcard).
   * @default - any host
   */
  readonly hostname?: string;
}

/**
 * A port the gateway listens on, and how.
 */
export class GatewayListener {
  /** Plain HTTP, routed or redirected to HTTPS. */
  public static http(options: HttpListenerOptions = {}): GatewayListener {
    options = options ?? {};
    return new GatewayListener({
      name: options.name ?? 'http',
      protocol: 'HTTP',
      port: options.port ?? 80,
      hostname: options.hostname,
      httpsRedirect: options.redirectToHttps ?? false,
    });
  }

  /** HTTPS, terminated at the gateway with a certificate from a Secret. */
  public static https(options: HttpsListenerOptions): GatewayListener {
    options = options ?? {};
    return new GatewayListener({
      name: options.name ?? 'https',
      protocol: 'HTTPS',
      port: options.port ?? 443,
      hostname: options.hostname,
      httpsRedirect: false,
    }, options.certificate);
  }

  /**
   * TLS passed through to the backend by SNI, not terminated: routes attached to it carry one
   * rule with backends only (Istio: VirtualService `tls`; Gateway API: TLSRoute).
   */
  public static tlsPassthrough(options: TlsPassthroughListenerOptions = {}): GatewayListener {
    options = options ?? {};
    return new GatewayListener({
      name: options.name ?? 'tls', protocol: 'TLS', port: options.port ?? 443, hostname: options.hostname, httpsRedirect: false,
    });
  }

  private constructor(private readonly intent: ListenerIntent, private readonly certificate?: TlsCertificate) {}

  /** @internal */
  public _toIntent(scope: IConstruct, prop: string): ListenerIntent {
    const l = this.intent;
    checkProps(scope, { ...l, redirectToHttps: l.httpsRedirect }, { name: required(dns1123Label), port: required(portNumber), hostname: optional(hostname), redirectToHttps: boolean }, `${prop}.`);
    if (l.protocol === 'HTTPS') {
      checkProps(scope, { certificate: this.certificate }, {
        certificate: optional(instanceOf(TlsCertificate, 'a TlsCertificate (TlsCertificate.fromSecret() or .certManager())')),
      }, `${prop}.`);
    }
    checkDns1123Label(scope, `${prop}.name`, l.name);
    checkPort(scope, `${prop}.port`, l.port);
    if (l.hostname != null) checkHostname(scope, `${prop}.hostname`, l.hostname);
    if (l.protocol === 'HTTPS') {
      if (!this.certificate) invalid(scope, `${prop}.certificate`, undefined, 'set: a TLS listener needs a certificate (TlsCertificate.fromSecret() or .certManager())');
      return { ...l, certificate: this.certificate._toIntent(scope, `${prop}.certificate`) };
    }
    return l;
  }
}
