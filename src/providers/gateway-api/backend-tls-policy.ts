import { GatewayApiProfile, gatewayApiLacks } from './profile';
import { HostIntent, UpstreamTlsIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { localityAsWritten } from '../../model/policy-merge';
import { HostObjectSink, Unsupported } from '../../model/renderer';
import { show } from '../../private/errors';

/** BackendTLSPolicy `subjectAltNames` holds at most 5 names (CRD maxItems). */
const MAX_SANS = 5;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const URI = /^(([^:/?#]+):)(\/\/([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?/;

/**
 * What plain Gateway API cannot express of a traffic policy. It has no circuit breaking, load
 * balancing, locality or HTTP/2 upgrade settings; TLS origination with the system's CA
 * certificates is a BackendTLSPolicy (standard from v1.4), on the Service of the host or version.
 */
export function gatewayApiPolicyUnsupported(profile: GatewayApiProfile, policy: VersionTrafficPolicyIntent, version?: string): Unsupported[] {
  const at = (prop: string) => (version === undefined ? prop : `version '${version}' trafficPolicy.${prop}`);
  const out: Unsupported[] = [];
  if (policy.connectionPool || policy.outlierDetection || policy.loadBalancer) {
    out.push({
      feature: version === undefined ? 'circuit breaking or load balancing' : `circuit breaking or load balancing for version '${version}'`,
      instead: 'Gateway API has no standard circuit breaking; choose the mesh: MeshProvider.istio() (DestinationRule) or .linkerd() (failure accrual)',
    });
  }
  if (policy.h2UpgradePolicy) {
    out.push({
      feature: `${at('h2UpgradePolicy')} (${show(policy.h2UpgradePolicy)})`,
      instead: 'Gateway API picks the protocol to a backend from its Service port\'s appProtocol (kubernetes.io/h2c for HTTP/2 over clear text, GEP-1911), '
        + 'not from a policy: drop h2UpgradePolicy and serve the port as HTTP/2, or use MeshProvider.istio()',
    });
  }
  if (policy.locality) {
    out.push({
      feature: `${at('localityLoadBalancing')} (${show(localityAsWritten(policy.locality))})`,
      instead: 'Gateway API has no locality load balancing; drop localityLoadBalancing (Kubernetes\' Service spec.trafficDistribution: PreferClose keeps traffic in the '
        + 'client\'s zone where the implementation honours it), or use MeshProvider.istio()',
    });
  }
  if (policy.tls) out.push(...tlsUnsupported(profile, policy.tls, at('tls')));
  return out;
}

function tlsUnsupported(profile: GatewayApiProfile, tls: UpstreamTlsIntent, prop: string): Unsupported[] {
  if (tls.mode !== 'SIMPLE') {
    return [{
      feature: `${prop} (mode ${tls.mode})`,
      instead: tls.mode === 'MUTUAL'
        ? 'BackendTLSPolicy verifies the backend but presents no client certificate; use MeshProvider.istio() (DestinationRule tls MUTUAL), or UpstreamTls.simple()'
        : 'Gateway API has no setting for the mesh\'s own mTLS or for turning it off; the mesh decides: drop tls, or use MeshProvider.istio()',
    }];
  }
  const out: Unsupported[] = [];
  const lacks = gatewayApiLacks(profile, 'backendTlsPolicy', `${prop} (TLS to the backend)`);
  if (lacks) out.push(lacks);
  if (tls.sni === undefined) {
    out.push({ feature: `${prop} without sni`, instead: 'BackendTLSPolicy needs the hostname the backend\'s certificate is for (validation.hostname, also the SNI): set sni' });
  }
  if (tls.caCertificates !== undefined) {
    out.push({
      feature: `${prop}.caCertificates (${show(tls.caCertificates)}, a file in the client's proxy)`,
      instead: 'BackendTLSPolicy takes CA certificates from a ConfigMap, not a file: drop caCertificates to verify with the system\'s CA certificates (wellKnownCACertificates: System)',
    });
  }
  if (tls.insecureSkipVerify) {
    out.push({ feature: `${prop}.insecureSkipVerify`, instead: 'BackendTLSPolicy always verifies the backend\'s certificate: drop insecureSkipVerify' });
  }
  const sans = tls.subjectAltNames ?? [];
  if (sans.length > MAX_SANS) {
    out.push({ feature: `${prop}.subjectAltNames with ${sans.length} names`, instead: `BackendTLSPolicy holds at most ${MAX_SANS}: keep the ones the certificate has` });
  }
  const odd = sans.filter(s => !HOSTNAME.test(s) && !URI.test(s));
  if (odd.length > 0) {
    out.push({ feature: `${prop}.subjectAltNames ${show(odd)}`, instead: 'BackendTLSPolicy names are lower-case DNS names or URIs with a scheme (spiffe://...)' });
  }
  return out;
}

/**
 * One BackendTLSPolicy per Service whose traffic is TLS: the host's Service for the host's
 * policy, each per-version Service (the HTTPRoute's backends) for the version's policy, else the
 * host's. A policy attaches to the Service a route's backendRef names, and implementations
 * support one targetRef per policy (the CRD's guidance), so each Service gets its own.
 * @see https://gateway-api.sigs.k8s.io/api-types/backendtlspolicy/
 */
export function renderBackendTlsPolicies(sink: HostObjectSink, host: HostIntent): void {
  const services: { service: string; tls: UpstreamTlsIntent; id: string }[] = [];
  if (host.trafficPolicy?.tls) services.push({ service: host.name, tls: host.trafficPolicy.tls, id: 'BackendTLSPolicy' });
  for (const v of host.versions) {
    const tls = v.trafficPolicy?.tls ?? host.trafficPolicy?.tls;
    const service = v.serviceName ?? `${host.name}-${v.name}`;
    if (tls && service !== host.name) services.push({ service, tls, id: `BackendTLSPolicy-${service}` });
  }
  for (const { service, tls, id } of services) {
    const sans = tls.subjectAltNames?.map(s => (HOSTNAME.test(s) ? { type: 'Hostname', hostname: s } : { type: 'URI', uri: s }));
    sink.emit(id, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: service, namespace: host.namespace },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: service }],
        validation: { hostname: tls.sni, wellKnownCACertificates: 'System', subjectAltNames: sans },
      },
    });
  }
}
