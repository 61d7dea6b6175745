/**
 * Issue 13: the secure defaults, each with a test. (Writable volumes, probes and container security
 * contexts a workload declares are MeshWorkload options of issue 12 item 16.)
 */
import { Testing } from 'cdk8s';
import {
  CanaryRelease, CanaryVersion, InstallMethod, Mesh, MeshAuthorization, MeshControlPlane, MeshInstall, MeshProvider, MeshWarnings, MeshWorkload,
  MtlsMode, Peer, StrictMtlsMigration, TrustAnchor, WorkloadSelector,
} from '../../src';
import { chart, meshOf, ofKind, one, reviewsCanary } from '../support/fixtures';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function workload(provider: MeshProvider): any[] {
  const c = chart('shop');
  new MeshWorkload(c, 'ratings', { mesh: Mesh.fromAttributes({ provider }), serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
  return Testing.synth(c);
}

describe('secure defaults', () => {
  test.each([['istio', MeshProvider.istio()], ['linkerd', MeshProvider.linkerd()], ['gateway-api', MeshProvider.gatewayApi()]])(
    'workloads run non-root, without privilege escalation, on a read-only root file system (%s)', (_name, provider) => {
      const pod = one(workload(provider), 'Deployment').spec.template.spec;
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false,
        });
      }
      expect(pod.automountServiceAccountToken).toBe(false);
    });

  test('sidecar proxies always have CPU and memory limits (Istio, Linkerd)', () => {
    const istio = one(workload(MeshProvider.istio()), 'Deployment').spec.template.metadata.annotations;
    expect(istio).toMatchObject({ 'sidecar.istio.io/proxyCPULimit': expect.any(String), 'sidecar.istio.io/proxyMemoryLimit': expect.any(String) });
    const linkerd = one(workload(MeshProvider.linkerd()), 'Deployment').spec.template.metadata.annotations;
    expect(linkerd).toMatchObject({ 'config.linkerd.io/proxy-cpu-limit': expect.any(String), 'config.linkerd.io/proxy-memory-limit': expect.any(String) });
  });

  test('no namespace is injected unless asked', () => {
    const c = chart();
    new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux() });
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { namespace: 'shop' }));
    const out = Testing.synth(c);
    const injected = ofKind(out, 'Namespace').filter(n => Object.entries(n.metadata.labels ?? {})
      .some(([k, v]) => (k === 'istio-injection' && v === 'enabled') || k === 'istio.io/rev' || k === 'istio.io/dataplane-mode'));
    expect(injected).toEqual([]);

    const l = chart();
    new MeshInstall(l, 'Mesh', { controlPlane: MeshControlPlane.linkerd({ chartVersion: '2025.1.2', trustAnchor: TrustAnchor.fromPem(PEM) }), method: InstallMethod.flux() });
    expect(ofKind(Testing.synth(l), 'Namespace').filter(n => n.metadata.annotations?.['linkerd.io/inject'] === 'enabled')).toEqual([]);
  });

  test('authorization is deny-by-default when enabled (Istio: an ALLOW policy applies, so what no rule allows is denied)', () => {
    const c = chart('shop');
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio() });
    // no rules at all: an ALLOW policy without rules, which matches nothing (allow-nothing)
    new MeshAuthorization(c, 'lockdown', { mesh, workload: WorkloadSelector.labels({ app: 'ratings' }) });
    // allow rules: requests that match none of them are denied, because an ALLOW policy applies
    new MeshAuthorization(c, 'reviews', { mesh, workload: WorkloadSelector.labels({ app: 'reviews' }), allow: [{ from: [Peer.serviceAccount('productpage', 'shop')] }] });
    const policies = ofKind(Testing.synth(c), 'AuthorizationPolicy');
    expect(one(policies, 'AuthorizationPolicy', 'lockdown').spec).toEqual({ selector: { matchLabels: { app: 'ratings' } }, action: 'ALLOW' });
    expect(one(policies, 'AuthorizationPolicy', 'reviews').spec.action).toBe('ALLOW');
    expect(policies.map(p => p.spec.action)).not.toContain('AUDIT');
  });

  test('a canary starts at its first step, not at full traffic', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', { ...reviewsCanary('istio'), steps: undefined, currentStep: undefined, canary: CanaryVersion.deploy({ name: 'v2', image: 'r:2' }) });
    expect(release.canaryWeight).toBe(10);
  });

  test.each(['istio', 'linkerd'])('a migration plan ends STRICT, or says it does not (%s)', (provider) => {
    const plan = (last: MtlsMode) => new StrictMtlsMigration(chart('security'), 'migration', {
      mesh: meshOf(provider),
      stages: [
        { name: 'permissive', namespaces: [{ namespace: 'payments', mode: MtlsMode.PERMISSIVE }] },
        { name: 'end', namespaces: [{ namespace: 'payments', mode: last }] },
      ],
      currentStage: 1,
    });
    const strict = plan(MtlsMode.STRICT);
    expect(MeshWarnings.list(strict)).toEqual([]);
    if (provider === 'istio') {
      const out = Testing.synth(strict.node.scope as any);
      expect(ofKind(out, 'PeerAuthentication').map(p => p.spec.mtls.mode)).toEqual(['STRICT']);
    }
    const loose = plan(MtlsMode.PERMISSIVE);
    expect(MeshWarnings.list(loose).map(w => w.id)).toEqual([MeshWarnings.MTLS_PLAN_NOT_STRICT]);
    expect(MeshWarnings.list(loose)[0].message).toMatch(/the plan does not end STRICT: in its last stage 'end', namespace 'payments' is PERMISSIVE/);
  });
});
