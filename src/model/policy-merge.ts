/**
 * What one version's traffic policy means next to the host's: the version overrides the host
 * setting by setting, and keeps the host's others. Renderers write this effective policy, so a
 * version that changes one connection limit keeps the host's other limits, its outlier detection
 * and its TLS, whatever the mesh's own merge rules (Istio replaces a subset's whole
 * `connectionPool`, `outlierDetection`, `loadBalancer` or `tls` group: util.MergeTrafficPolicy).
 */
import { LocalityLbIntent, VersionTrafficPolicyIntent } from './intents';

/** The policy that applies to a version's endpoints. */
export function effectiveVersionPolicy(
  host: VersionTrafficPolicyIntent | undefined, version: VersionTrafficPolicyIntent | undefined,
): VersionTrafficPolicyIntent {
  const h = host ?? {};
  const v = version ?? {};
  const merged = (a?: object, b?: object) => (a || b ? { ...a, ...b } : undefined);
  const out: VersionTrafficPolicyIntent = {
    connectionPool: merged(h.connectionPool, v.connectionPool),
    outlierDetection: merged(h.outlierDetection, v.outlierDetection),
    loadBalancer: v.loadBalancer ?? h.loadBalancer,
    h2UpgradePolicy: v.h2UpgradePolicy ?? h.h2UpgradePolicy,
    locality: v.locality ?? h.locality,
    tls: v.tls ?? h.tls,
  };
  return Object.fromEntries(Object.entries(out).filter(([, x]) => x !== undefined)) as VersionTrafficPolicyIntent;
}

/** Whether a policy sets anything. */
export function hasPolicy(policy: VersionTrafficPolicyIntent | undefined): boolean {
  return policy !== undefined && Object.values(policy).some(x => x !== undefined);
}

/** A locality setting as the user wrote it (without the lists left empty), for messages. */
export function localityAsWritten(l: LocalityLbIntent): object {
  return Object.fromEntries(Object.entries(l).filter(([, x]) => x !== undefined && !(Array.isArray(x) && x.length === 0)));
}
