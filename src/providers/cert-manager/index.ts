import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { certificateDnsNames, GatewayIntent, IngressRouteIntent } from '../../model/ingress';

/**
 * The cert-manager `Certificate` (cert-manager.io/v1) of every listener whose certificate
 * cert-manager issues, under `scope` with id `Certificate-<listener>`. Both ingress renderers
 * use it: the Certificate is the same whichever API the gateway is rendered with. Its DNS
 * names are resolved at synthesis (routes attach after the gateway is created).
 * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.Certificate
 */
export function renderCertificates(scope: Construct, gateway: GatewayIntent, routes: () => IngressRouteIntent[]): void {
  for (const listener of gateway.listeners) {
    const cert = listener.certificate;
    if (!cert?.certManager) continue;
    const issuer = cert.certManager;
    new ApiObject(scope, `Certificate-${listener.name}`, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: cert.secretName, namespace: cert.namespace ?? gateway.namespace },
      spec: {
        secretName: cert.secretName,
        dnsNames: Lazy.any({ produce: () => certificateDnsNames(listener, routes()) }),
        issuerRef: { name: issuer.issuerName, kind: issuer.issuerKind, group: 'cert-manager.io' },
      },
    });
  }
}
