/**
 * Issue 12, item 16: workloads that would actually run — writable directories next to a
 * read-only root filesystem, probes, and security-context overrides.
 *
 * cdk8s-plus sets `readOnlyRootFilesystem: true` on every container; the bookinfo `reviews` image
 * (Open Liberty) writes under /opt/ol/wlp/output, /logs and /tmp; Istio's
 * samples/bookinfo/platform/kube/bookinfo.yaml mounts `emptyDir` volumes at the first and last. Without them the
 * server fails at start.
 */
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CanaryRelease, CanaryVersion, MeshWorkload } from '../../src';
import { chart, meshOf, one, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const REVIEWS_WRITES = ['/opt/ol/wlp/output', '/logs', '/tmp'];

function reviews(provider = 'istio') {
  const c = chart('bookinfo');
  new CanaryRelease(c, 'reviews', reviewsCanary(provider, {
    stable: CanaryVersion.deploy({
      name: 'v1',
      image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3',
      writableDirectories: REVIEWS_WRITES,
      readiness: kplus.Probe.fromHttpGet('/health', { port: 9080, periodSeconds: Duration.seconds(5) }),
      securityContext: { user: 1000 },
    }),
  }));
  return { c, out: Testing.synth(c) };
}

describe('workloads describe pods that run (item 16)', () => {
  test('each writable directory is an emptyDir mounted there; the root filesystem stays read-only', () => {
    const pod = one(reviews().out.filter(m => m.metadata.name === 'reviews-v1'), 'Deployment').spec.template.spec;
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, runAsUser: 1000,
    });
    const mounts = container.volumeMounts.map((m: any) => [m.mountPath, m.name]);
    expect(mounts).toEqual([['/opt/ol/wlp/output', 'w0-opt-ol-wlp-output'], ['/logs', 'w1-logs'], ['/tmp', 'w2-tmp']]);
    for (const [, name] of mounts) expect(pod.volumes).toContainEqual({ name, emptyDir: {} });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/health', port: 9080 }, periodSeconds: 5 });
  });

  test('rejects relative, root and repeated directories', () => {
    const make = (dirs: string[]) => new MeshWorkload(chart('x'), 'w', {
      mesh: meshOf('istio'), serviceName: 'w', version: 'v1', image: 'nginx:1.27', port: 8080, writableDirectories: dirs,
    });
    expect(() => make(['tmp'])).toThrow("test/w: 'writableDirectories[0]' (\"tmp\") must be an absolute path other than /");
    expect(() => make(['/'])).toThrow(/'writableDirectories\[0\]' \("\/"\) must be an absolute path other than \//);
    expect(() => make(['/tmp', '/tmp'])).toThrow(/'writableDirectories\[1\]' \("\/tmp"\) must be listed once/);
  });

  itValidates('passes the Kubernetes schemas', () => {
    expectValid({ istio: reviews().out, linkerd: reviews('linkerd').out });
  });
});
