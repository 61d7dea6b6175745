import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { certificateDnsNames, GatewayIntent, IngressRouteIntent, ListenerIntent } from '../../model/ingress';
import { emit } from '../../private/ownership';

/**
 * The cert-manager `Certificate` (cert-manager.io/v1) of every Secret that cert-manager issues for
 * the gateway's listeners, under `scope` with id `Certificate-<first listener>`. Listeners that
 * share a Secret share its one Certificate, which covers the DNS names of all of them. Both
 * ingress renderers use it, Istio's own API with `secretNamespace` (where its gateway workload
 * reads Secrets). Its DNS names are resolved at synthesis (routes attach after the gateway is created).
 * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.Certificate
 */
export function renderCertificates(scope: Construct, gateway: GatewayIntent, routes: () => IngressRouteIntent[], secretNamespace?: string): void {
  const bySecret = new Map<string, ListenerIntent[]>();
  for (const listener of gateway.listeners) {
    const cert = listener.certificate;
    if (!cert?.certManager) continue;
    const key = `${secretNamespace ?? cert.namespace ?? gateway.namespace ?? ''}/${cert.secretName}`;
    bySecret.set(key, [...(bySecret.get(key) ?? []), listener]);
  }
  for (const listeners of bySecret.values()) {
    const [first, ...others] = listeners;
    const cert = first.certificate!;
    const issuer = cert.certManager!;
    for (const other of others) {
      const o = other.certificate!.certManager!;
      if (o.issuerName !== issuer.issuerName || o.issuerKind !== issuer.issuerKind) {
        throw new Error(`${gateway.source.node.path}: listeners '${first.name}' and '${other.name}' share the Secret '${cert.secretName}' `
          + `but name different cert-manager issuers (${issuer.issuerKind} ${issuer.issuerName} vs ${o.issuerKind} ${o.issuerName}); `
          + 'one Secret is one Certificate: give them the same issuer, or different secret names');
      }
    }
    emit(scope, `Certificate-${first.name}`, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: cert.secretName, namespace: secretNamespace ?? cert.namespace ?? gateway.namespace },
      spec: {
        secretName: cert.secretName,
        dnsNames: Lazy.any({ produce: () => [...new Set(listeners.flatMap(l => certificateDnsNames(l, routes())))].sort() }),
        issuerRef: { name: issuer.issuerName, kind: issuer.issuerKind, group: 'cert-manager.io' },
      },
    }, {
      owner: gateway.source,
      resolve: `issue the certificate from one gateway and reference its Secret from the other (TlsCertificate.fromSecret('${cert.secretName}'))`,
    });
  }
}
