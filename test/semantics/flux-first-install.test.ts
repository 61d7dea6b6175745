/**
 * Issue 12 item 2: a first install through Flux must converge. Flux's kustomize-controller
 * dry-runs all objects of a Kustomization server-side before applying any of them, so a custom
 * resource whose CRD a HelmRelease of the same set installs (PeerAuthentication, Telemetry,
 * Sidecar: istio-base installs them) fails the dry run, the HelmReleases are never applied and the
 * CRDs never arrive. With Flux those objects are a chart of their own — a file of their own — that
 * a second Kustomization applies with `dependsOn` on the first.
 * https://fluxcd.io/flux/components/kustomize/kustomizations/#dependencies
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { InstallMethod, MeshControlPlane, MeshInstall } from '../../src';
import { chart, ofKind } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const NEEDS_ISTIO_CRDS = ['PeerAuthentication', 'Telemetry', 'Sidecar'];

function install(c: Chart, method: InstallMethod) {
  return new MeshInstall(c, 'Mesh', {
    controlPlane: MeshControlPlane.istio(), method, namespaces: [{ name: 'shop', egressHosts: ['./*', 'istio-system/*'] }],
  });
}

test('Flux: the install file holds no object that needs the CRDs its HelmReleases install; the MeshConfig file holds them', () => {
  const c = chart();
  install(c, InstallMethod.flux());
  const first = Testing.synth(c);
  expect(first.filter(o => NEEDS_ISTIO_CRDS.includes(o.kind))).toEqual([]);
  expect(ofKind(first, 'HelmRelease').map(r => r.metadata.name)).toContain('istio-base');
  const second = Testing.synth(c.node.findChild('Mesh').node.findChild('MeshConfig') as Chart);
  expect(second.map(o => o.kind).sort()).toEqual(['PeerAuthentication', 'Sidecar', 'Telemetry']);
});

test('app.synth() writes the two stages as two files, the install first', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-flux-'));
  const app = new App({ outdir });
  install(new Chart(app, 'platform'), InstallMethod.flux());
  app.synth();
  const files = fs.readdirSync(outdir).sort();
  expect(files).toHaveLength(2);
  const kinds = files.map(f => Yaml.load(path.join(outdir, f)).map((o: any) => o.kind));
  expect(kinds.find(k => k.includes('HelmRelease'))!.some((k: string) => NEEDS_ISTIO_CRDS.includes(k))).toBe(false);
  expect(kinds.find(k => k.includes('PeerAuthentication'))!.sort()).toEqual(['PeerAuthentication', 'Sidecar', 'Telemetry']);
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('Argo CD keeps one file: its objects skip the dry run while their CRDs are missing, in a later sync wave', () => {
  const c = chart();
  install(c, InstallMethod.argoCd());
  const out = Testing.synth(c);
  expect(out.filter(x => NEEDS_ISTIO_CRDS.includes(x.kind)).map(x => x.kind).sort()).toEqual(['PeerAuthentication', 'Sidecar', 'Telemetry']);
  for (const o of out.filter(x => NEEDS_ISTIO_CRDS.includes(x.kind))) {
    expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  }
  expect(c.node.findAll().filter(x => x instanceof Chart && x !== c)).toEqual([]);
});

itValidates('both stages validate', () => {
  const c = chart();
  install(c, InstallMethod.flux());
  expectValid({ 'flux-install': Testing.synth(c), 'flux-mesh-config': Testing.synth(c.node.findChild('Mesh').node.findChild('MeshConfig') as Chart) });
});
