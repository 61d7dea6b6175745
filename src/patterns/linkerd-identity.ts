import { Duration } from 'cdk8s';
import { TrustAnchorIntent } from '../model/install';

/**
 * Options for a trust anchor read from a Secret or ConfigMap.
 */
export interface TrustAnchorReferenceOptions {
  /** The name of the Secret or ConfigMap (in the Flux namespace: Flux reads it). */
  readonly name: string;

  /**
   * The key that holds the PEM certificate.
   * @default "ca.crt"
   */
  readonly key?: string;
}

/**
 * The root certificate of Linkerd's identity (its public part only): every proxy trusts it.
 * @see https://linkerd.io/2/tasks/generate-certificates/
 */
export class TrustAnchor {
  /**
   * The PEM certificate itself (`identityTrustAnchorsPEM`). It is public: committing it is safe.
   */
  public static fromPem(pem: string): TrustAnchor {
    return new TrustAnchor({ pem });
  }

  /**
   * A certificate in a Secret, passed to the chart with Flux's `valuesFrom` (Flux only).
   * @see https://fluxcd.io/flux/components/helm/helmreleases/#values-references
   */
  public static fromSecret(options: TrustAnchorReferenceOptions): TrustAnchor {
    return new TrustAnchor({ ref: { kind: 'Secret', name: options.name, key: options.key ?? 'ca.crt' } });
  }

  /**
   * A certificate in a ConfigMap (e.g. one trust-manager writes), passed with Flux's `valuesFrom`
   * (Flux only).
   */
  public static fromConfigMap(options: TrustAnchorReferenceOptions): TrustAnchor {
    return new TrustAnchor({ ref: { kind: 'ConfigMap', name: options.name, key: options.key ?? 'ca.crt' } });
  }

  /** @internal */
  public readonly _intent: TrustAnchorIntent;

  private constructor(intent: TrustAnchorIntent) {
    this._intent = intent;
  }
}

/**
 * Options for `LinkerdIdentityIssuer.certManager()`.
 */
export interface CertManagerIssuerOptions {
  /**
   * Lifetime of the identity issuer certificate.
   * @default Duration.hours(48)
   * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec
   */
  readonly duration?: Duration;

  /**
   * How long before expiry cert-manager renews it.
   * @default Duration.hours(25)
   */
  readonly renewBefore?: Duration;

  /**
   * The `kubernetes.io/tls` Secret in the Linkerd namespace with the trust anchor's certificate and
   * key, which the CA `Issuer` signs with. It is created out of band (never from Git).
   * @default "linkerd-trust-anchor"
   */
  readonly trustAnchorSecretName?: string;
}

/**
 * Where the identity issuer certificate (`linkerd-identity-issuer`) comes from. Either way the
 * control plane reads it with `identity.issuer.scheme: kubernetes.io/tls`, so no key is in Git.
 * @see https://linkerd.io/2/tasks/automatically-rotating-control-plane-tls-credentials/
 */
export class LinkerdIdentityIssuer {
  /**
   * cert-manager: a CA `Issuer` over the trust anchor and a `Certificate` for
   * `identity.linkerd.<cluster domain>` (ECDSA P-256, 48 h, renewed 25 h before expiry).
   */
  public static certManager(options: CertManagerIssuerOptions = {}): LinkerdIdentityIssuer {
    return new LinkerdIdentityIssuer(options);
  }

  /**
   * The `linkerd-identity-issuer` Secret is managed elsewhere (e.g. Vault, an external issuer).
   */
  public static external(): LinkerdIdentityIssuer {
    return new LinkerdIdentityIssuer(undefined);
  }

  /** @internal */
  public readonly _certManager?: CertManagerIssuerOptions;

  private constructor(certManager: CertManagerIssuerOptions | undefined) {
    this._certManager = certManager;
  }
}
