/**
 * The seeds' mesh installs, each in a few lines, one chart (one file, one GitOps apply) each:
 *
 * - `istioctl install --set profile=default` + `kubectl label namespace default istio-injection=enabled` (Flux)
 * - `istioctl install --set profile=demo` (Argo CD)
 * - production sidecars: requests 100m/128Mi, limits 500m/512Mi, istiod scaled out, PILOT_PUSH_THROTTLE
 * - Linkerd with a cert-manager identity issuer of 48 h (Flux)
 * - ambient: `--set profile=ambient`, `istio.io/dataplane-mode=ambient`, a waypoint for the reviews canary
 * - the canary control-plane upgrade `1-23-0` → `1-24-0`, one namespace moved (Sail operator and Flux)
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  CanaryRelease, CanaryVersion, InstallMethod, IstioProfile, MeshCluster, MeshControlPlane, MeshInstall, TrustAnchor,
} from 'cdk8s-mesh';

// The reviews image (Open Liberty) writes its server output, logs and temp files: emptyDirs there
// keep the root filesystem read-only, as Istio's bookinfo.yaml mounts them.
const REVIEWS_WRITABLE = ['/opt/ol/wlp/output', '/logs', '/tmp'];

// The trust anchor's certificate is public; its key stays in the cluster (Secret linkerd-trust-anchor).
const TRUST_ANCHOR = `-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIQZXhhbXBsZS10cnVzdC1hbmNob3IwCgYIKoZIzj0EAwIwJTEjMCEGA1UEAxMacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWw=
-----END CERTIFICATE-----
`;

const app = new App();

new MeshInstall(new Chart(app, 'istio-default'), 'Mesh', {
  controlPlane: MeshControlPlane.istio({ profile: IstioProfile.DEFAULT }),
  method: InstallMethod.flux(),
  namespaces: [{ name: 'default' }],
});

new MeshInstall(new Chart(app, 'istio-demo'), 'Mesh', {
  controlPlane: MeshControlPlane.istio({ profile: IstioProfile.DEMO }),
  method: InstallMethod.argoCd(),
  namespaces: [{ name: 'default' }],
});

new MeshInstall(new Chart(app, 'istio-production'), 'Mesh', {
  controlPlane: MeshControlPlane.istio({
    proxyResources: { cpuRequest: Cpu.millis(100), memoryRequest: Size.mebibytes(128), cpuLimit: Cpu.millis(500), memoryLimit: Size.mebibytes(512) },
    istiod: { autoscaleMin: 3, autoscaleMax: 10, pushThrottle: 200 },
    telemetry: { tracingSamplingPercent: 10 },
  }),
  method: InstallMethod.flux(),
  namespaces: [
    // the proxy-memory fix: sidecars in shop only learn about shop's and the control plane's hosts
    { name: 'shop', egressHosts: ['./*', 'istio-system/*'] },
  ],
  // Emergency: flip to true to turn injection off everywhere in one commit, then restart pods.
  injectionKillSwitch: false,
});

new MeshInstall(new Chart(app, 'linkerd'), 'Mesh', {
  controlPlane: MeshControlPlane.linkerd({
    chartVersion: '2025.1.2',
    trustAnchor: TrustAnchor.fromPem(TRUST_ANCHOR),
    highAvailability: true,
  }),
  method: InstallMethod.flux(),
  namespaces: [{ name: 'emojivoto' }],
});

const ambient = new Chart(app, 'istio-ambient');
const mesh = new MeshInstall(ambient, 'Mesh', {
  controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }),
  method: InstallMethod.flux(),
  namespaces: [{ name: 'bookinfo' }],
});
// An L7 intent on an ambient host: the waypoint comes with it.
new CanaryRelease(ambient, 'reviews', {
  mesh,
  serviceName: 'reviews',
  namespace: 'bookinfo',
  port: 9080,
  stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
  canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
  timeout: Duration.seconds(10),
});

// Canary control-plane upgrade: both revisions run; `payments` has moved to 1-24-0 (one line).
new MeshInstall(new Chart(app, 'istio-upgrade'), 'Mesh', {
  controlPlane: MeshControlPlane.istio({
    revisions: [
      { name: '1-23-0', version: '1.23.0', tags: ['stable'] },
      { name: '1-24-0', version: '1.24.0', tags: ['canary'] },
    ],
  }),
  method: InstallMethod.flux(),
  namespaces: [
    { name: 'shop', revision: 'stable' },
    { name: 'payments', revision: '1-24-0' },
  ],
});

// The same upgrade through the Sail operator (which serves 1.23.2 and later of the 1.23 line).
new MeshInstall(new Chart(app, 'istio-sail'), 'Mesh', {
  controlPlane: MeshControlPlane.istio({
    revisions: [
      { name: '1-23-2', version: '1.23.2', tags: ['stable'] },
      { name: '1-24-0', version: '1.24.0', tags: ['canary'] },
    ],
  }),
  method: InstallMethod.sail(),
  namespaces: [
    { name: 'shop', revision: 'stable' },
    { name: 'payments', revision: 'canary' },
  ],
});

// Each chart renders the example for another mesh or setup: a cluster of its own, so the charts
// may repeat each other's objects (one owner per object holds within a cluster).
for (const chart of app.charts) if (chart.node.scope === app) MeshCluster.assign(chart, chart.node.id); // nested charts follow their parent
app.synth();
