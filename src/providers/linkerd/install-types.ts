/**
 * The fields of cert-manager's Issuer and Certificate (cert-manager.io/v1) that the Linkerd install
 * renderer emits, written by hand; correctness is proven by validating against the upstream CRDs.
 */

export interface CaIssuerSpec {
  readonly ca: { readonly secretName: string };
}

export interface CertificateSpec {
  readonly secretName: string;
  readonly duration: string;
  readonly renewBefore: string;
  readonly issuerRef: { readonly name: string; readonly kind: 'Issuer' };
  readonly commonName: string;
  readonly dnsNames: string[];
  readonly isCA: boolean;
  readonly privateKey: { readonly algorithm: 'ECDSA'; readonly size: number; readonly rotationPolicy: 'Always' };
  readonly usages: string[];
}
