/**
 * The library takes the app's objects whatever cdk8s-plus line the app uses (`cdk8s init` makes
 * apps with the newest, cdk8s-plus-33, while the library's own workloads use cdk8s-plus-28), and
 * objects read from YAML with `Include`. jest only transpiles; that a plus-33 Deployment fits the
 * signatures is type-checked by the README snippet test (test/docs) and by the install test
 * (test/package.test.ts), which runs it through ts-node in a new app.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Include, Size, Testing } from 'cdk8s';
import * as plus28 from 'cdk8s-plus-28';
import * as plus33 from 'cdk8s-plus-33';
import {
  CanaryRelease, CanaryVersion, GatewayBackend, GatewayListener, GatewayRoute, IngressGateway, Mesh, MeshAuthorization,
  MeshProvider, MeshWorkload, Peer, RequestMatch, WorkloadSelector,
} from '../src';
import { expectValid, itValidates } from './support/validator';

const istio = () => Mesh.fromAttributes({ provider: MeshProvider.istio() });
const byKind = (objs: any[], kind: string) => objs.filter(o => o.kind === kind);
const chart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

describe.each([
  ['cdk8s-plus-28', (c: Chart, id: string, labels: Record<string, string>) =>
    new plus28.Deployment(c, id, { containers: [{ image: 'reviews:1', portNumber: 9080 }], podMetadata: { labels }, select: false })],
  ['cdk8s-plus-33', (c: Chart, id: string, labels: Record<string, string>) =>
    new plus33.Deployment(c, id, { containers: [{ image: 'reviews:1', portNumber: 9080 }], podMetadata: { labels }, select: false })],
])('CanaryVersion.fromDeployment takes a %s Deployment', (_line, deployment) => {
  const build = () => {
    const c = chart();
    const v1 = deployment(c, 'reviews-v1', { app: 'reviews', version: 'v1' });
    v1.select(plus33.LabelSelector.of({ labels: { app: 'reviews', version: 'v1' } }));
    const v2 = deployment(c, 'reviews-v2', { app: 'reviews', version: 'v2' });
    v2.select(plus33.LabelSelector.of({ labels: { app: 'reviews', version: 'v2' } }));
    new CanaryRelease(c, 'reviews', {
      mesh: istio(),
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.fromDeployment('v1', v1),
      canary: CanaryVersion.fromDeployment('v2', v2),
      canaryMatches: [RequestMatch.header('end-user', 'jason')],
    });
    return Testing.synth(c);
  };

  test('the Service and the subsets select the Deployments\' pods; the Deployments are untouched', () => {
    const objs = build();
    const [service] = byKind(objs, 'Service');
    expect(service.spec.selector).toEqual({ app: 'reviews' });
    const subsets = byKind(objs, 'DestinationRule')[0].spec.subsets;
    expect(subsets).toEqual([
      { name: 'v1', labels: { app: 'reviews', version: 'v1' } },
      { name: 'v2', labels: { app: 'reviews', version: 'v2' } },
    ]);
    for (const d of byKind(objs, 'Deployment')) {
      // the app's own Deployments: no injection labels or proxy annotations added by the release
      expect(d.spec.template.metadata.annotations ?? {}).not.toHaveProperty('sidecar.istio.io/proxyMemory');
    }
  });

  itValidates('synthesizes valid objects', () => {
    expectValid({ interop: build() });
  });
});

const LEGACY = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ratings-v1, namespace: shop }
spec:
  selector: { matchLabels: { app: ratings, version: v1 } }
  template:
    metadata: { labels: { app: ratings, version: v1 } }
    spec: { containers: [{ name: ratings, image: 'ratings:1', ports: [{ containerPort: 9080 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: ratings-legacy, namespace: shop }
spec:
  selector: { app: ratings }
  ports: [{ name: http, port: 9080 }]
`;

describe('objects read with Include', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'interop-'));
    fs.writeFileSync(path.join(dir, 'legacy.yaml'), LEGACY);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const build = () => {
    const c = chart();
    const legacy = new Include(c, 'legacy', { url: path.join(dir, 'legacy.yaml') });
    const deployment = legacy.apiObjects.find(o => o.kind === 'Deployment')!;
    const service = legacy.apiObjects.find(o => o.kind === 'Service')!;
    const release = new CanaryRelease(c, 'ratings', {
      mesh: istio(),
      serviceName: 'ratings',
      port: 9080,
      stable: CanaryVersion.fromDeployment('v1', deployment),
      // a version deployed elsewhere, known by its pods' labels
      canary: CanaryVersion.fromLabels('v2', { app: 'ratings', version: 'v2' }),
    });
    const gateway = new IngressGateway(c, 'gw', { mesh: istio(), listeners: [GatewayListener.http({ hostname: 'shop.example.com' })] });
    new GatewayRoute(c, 'legacy-route', {
      gateway,
      rules: [{ matches: [RequestMatch.pathPrefix('/legacy')], backends: [GatewayBackend.fromService(service)] }],
    });
    new MeshAuthorization(c, 'ratings-authz', {
      mesh: istio(),
      workload: WorkloadSelector.fromWorkload(deployment),
      allow: [{ from: [Peer.namespace('shop')] }],
    });
    return { objs: Testing.synth(c), release };
  };

  test('a Deployment is a version through its selector labels; a Service is a gateway backend', () => {
    const { objs, release } = build();
    expect(release.workloadSelector.podLabels).toEqual({ app: 'ratings' });
    const subsets = byKind(objs, 'DestinationRule')[0].spec.subsets;
    expect(subsets).toEqual([
      { name: 'v1', labels: { app: 'ratings', version: 'v1' } },
      { name: 'v2', labels: { app: 'ratings', version: 'v2' } },
    ]);
    const ingress = byKind(objs, 'VirtualService').find((v: any) => v.spec.gateways);
    expect(ingress.spec.http[0].route[0].destination).toEqual({ host: 'ratings-legacy', port: { number: 9080 } });
    const policy = byKind(objs, 'AuthorizationPolicy').find((p: any) => p.spec.action === 'ALLOW');
    expect(policy.spec.selector.matchLabels).toEqual({ app: 'ratings', version: 'v1' });
  });

  itValidates('synthesizes valid objects', () => {
    expectValid({ include: build().objs });
  });
});

test('GatewayBackend.fromService takes a cdk8s-plus-33 Service', () => {
  const c = chart();
  const svc = new plus33.Service(c, 'web', { metadata: { name: 'web' }, ports: [{ port: 8080 }] });
  const gateway = new IngressGateway(c, 'gw', { mesh: istio(), listeners: [GatewayListener.http({ hostname: 'web.example.com' })] });
  new GatewayRoute(c, 'r', { gateway, rules: [{ backends: [GatewayBackend.fromService(svc)] }] });
  const vs = byKind(Testing.synth(c), 'VirtualService')[0];
  expect(vs.spec.http[0].route[0].destination).toEqual({ host: 'web', port: { number: 8080 } });
});

test('WorkloadSelector.fromWorkload reads a cdk8s-plus-33 workload\'s labels, namespace and ports', () => {
  const c = chart();
  const d = new plus33.Deployment(c, 'd', { containers: [{ image: 'x', portNumber: 8080 }], podMetadata: { labels: { app: 'web' } } });
  d.select(plus33.LabelSelector.of({ labels: { app: 'web' } }));
  const sel = WorkloadSelector.fromWorkload(d);
  expect(sel.podLabels).toEqual(expect.objectContaining({ app: 'web' }));
  expect(sel.namespace).toBe('shop');
  expect(sel.ports).toEqual([8080]);
  expect(WorkloadSelector.fromWorkload(d, { namespace: 'other', ports: [1] })).toEqual(expect.objectContaining({ namespace: 'other', ports: [1] }));
});

test('MeshWorkload takes a cdk8s-plus-33 ServiceAccount and resources', () => {
  const c = chart();
  const sa = new plus33.ServiceAccount(c, 'sa', { metadata: { name: 'reviews' } });
  const w = new MeshWorkload(c, 'w', {
    mesh: istio(),
    serviceName: 'reviews',
    version: 'v1',
    image: 'reviews:1',
    port: 9080,
    serviceAccount: sa,
    resources: { cpu: { request: plus33.Cpu.millis(100) }, memory: { request: Size.mebibytes(64) } },
  });
  const d = ApiObject.of(w.deployment).toJson();
  expect(d.spec.template.spec.serviceAccountName).toBe('reviews');
  expect(d.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: '100m', memory: '64Mi' });
});

describe('rejected', () => {
  test('a Service where a Deployment is expected', () => {
    const c = chart();
    const svc = new plus33.Service(c, 'web', { ports: [{ port: 80 }] });
    expect(() => CanaryVersion.fromDeployment('v1', svc)).toThrow(/CanaryVersion.fromDeployment: shop\/web is a Service; expected Deployment or StatefulSet or DaemonSet or ReplicaSet/);
  });
  test('a construct that is no Kubernetes object', () => {
    const c = chart();
    expect(() => CanaryVersion.fromDeployment('v1', c.node.root)).toThrow(/is not a Kubernetes object/);
  });
  test('a selector with matchExpressions', () => {
    const c = chart();
    const d = new plus33.Deployment(c, 'd', { containers: [{ image: 'x' }] });
    d.select(plus33.LabelSelector.of({ expressions: [plus33.LabelExpression.in('tier', ['web'])] }));
    expect(() => CanaryVersion.fromDeployment('v1', d)).toThrow(/selects its pods with matchExpressions; name the labels its pods carry with fromLabels\(\)/);
  });
  test('a Deployment without matchLabels', () => {
    const c = chart();
    const d = new ApiObject(c, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: {} } });
    expect(() => CanaryVersion.fromDeployment('v1', d)).toThrow(/has no spec.selector.matchLabels/);
  });
});
