import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing, Yaml } from 'cdk8s';
import { CanaryRelease, MeshCluster, RequestMatch, RoutePolicy } from '../src';
import { bookinfoIngress, capsOf, PROVIDERS, reviewsCanary } from './support/fixtures';

/** The same program, built from scratch. */
function program(outdir: string): App {
  const app = new App({ outdir });
  for (const provider of Object.keys(PROVIDERS)) {
    // Each configuration is an alternative rendering of one program: a cluster of its own.
    const chart = new Chart(app, provider, { namespace: 'bookinfo' });
    MeshCluster.assign(chart, provider);
    const caps = capsOf(provider);
    const release = new CanaryRelease(chart, 'reviews', reviewsCanary(provider, {
      canaryMatches: caps.requestMatches ? [RequestMatch.header('end-user', 'jason'), RequestMatch.cookie('canary', 'yes')] : undefined,
      mirrorPercent: caps.mirror ? 10 : undefined,
    }));
    if (caps.timeout || caps.retries) {
      new RoutePolicy(chart, 'policy', { host: release, timeout: caps.timeout ? Duration.seconds(5) : undefined, retries: caps.retries });
    }
    if (caps.ingressTimeout === false) continue;
    const ingress = new Chart(app, `${provider}-ingress`, { namespace: 'bookinfo' });
    MeshCluster.assign(ingress, `${provider}-ingress`);
    bookinfoIngress(ingress, provider);
  }
  return app;
}

function synthToFiles(): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-det-'));
  program(outdir).synth();
  // every file, the rollout plans in rollout-plans/ included
  const files = Object.fromEntries((fs.readdirSync(outdir, { recursive: true }) as string[]).sort()
    .filter(f => fs.statSync(path.join(outdir, f)).isFile())
    .map(f => [f, fs.readFileSync(path.join(outdir, f), 'utf-8')]));
  fs.rmSync(outdir, { recursive: true, force: true });
  return files;
}

test('two synths of the same program give byte-identical YAML', () => {
  const first = synthToFiles();
  const second = synthToFiles();
  expect(Object.keys(first)).toEqual(Object.keys(PROVIDERS).flatMap(p => [
    `${p}.k8s.yaml`, ...(capsOf(p).ingressTimeout === false ? [] : [`${p}-ingress.k8s.yaml`]),
    ...(capsOf(p).ingressTimeout === false ? [] : [`rollout-plans/${p}-ingress-reviews.md`]),
    `rollout-plans/${p}-reviews.md`,
  ]).sort());
  for (const [file, text] of Object.entries(first)) {
    expect(text.length).toBeGreaterThan(1000);
    expect(second[file]).toBe(text);
  }
});

test('synthesizing one chart twice gives the same objects', () => {
  const chart = new Chart(Testing.app(), 'c');
  new CanaryRelease(chart, 'reviews', reviewsCanary('istio'));
  expect(Yaml.stringify(...Testing.synth(chart))).toBe(Yaml.stringify(...Testing.synth(chart)));
});
