/**
 * The same program written by hand in cdk8s: cdk8s-plus-28 for the workloads, Services and service
 * accounts, raw `ApiObject`s for the mesh's objects. Each Deployment sits at the construct path the
 * library gives it (cdk8s-plus labels its pods with a hash of that path).
 */
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Built, built } from './built';
import { namespaceObjects, podMesh, serviceMesh, serviceObjects, versionServices } from './objects';
import { Case, chartIdOf, namespacesOf, PORT } from './spec';

/**
 * `BENCH_EXTRA_CONSTRUCTS=k` (`--extra-constructs k`): k empty constructs per service, which emit
 * nothing: what constructs as such cost (as many as the library's CanaryRelease, CircuitBreaker,
 * RoutePolicy and MeshAuthorization come to 4).
 */
const EXTRA = Number(process.env.BENCH_EXTRA_CONSTRUCTS ?? 0);

export function construct(c: Case, outdir: string): Built {
  const app = new App({ outdir });
  const perNamespace = c.layout === 'chart-per-namespace';
  const pod = podMesh(c.provider);
  const svcMesh = serviceMesh(c.provider);
  const charts = new Map<string, Chart>();
  for (const [ns, services] of namespacesOf(c.services)) {
    const id = chartIdOf(c.layout, ns);
    let chart = charts.get(id);
    if (!chart) {
      chart = new Chart(app, id, { namespace: perNamespace ? ns : undefined });
      charts.set(id, chart);
    }
    const namespace = perNamespace ? undefined : ns;
    for (const s of services) {
      const name = s.name;
      const group = new Construct(chart, name);
      for (let k = 0; k < EXTRA; k++) new Construct(group, `Extra${k}`);
      const serviceAccount = new kplus.ServiceAccount(group, 'ServiceAccount', {
        metadata: { name, namespace, labels: { app: name } },
        automountToken: false,
      });
      for (const [versionId, version, tag] of [['Stable', 'v1', '1.0.0'], ['Canary', 'v2', '1.1.0']]) {
        const labels = { app: name, version };
        const deployment = new kplus.Deployment(new Construct(group, versionId), 'Resource', {
          metadata: { name: `${name}-${version}`, namespace, labels },
          replicas: 2,
          select: false,
          serviceAccount,
          containers: [{ name, image: `registry.example.com/${name}:${tag}`, ports: [{ number: PORT, name: 'http' }] }],
        });
        // as the library: no construct-address label on the pods (it would restart them when the construct moves)
        ApiObject.of(deployment).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
        deployment.select(kplus.LabelSelector.of({ labels }));
        for (const [k, v] of Object.entries({ ...labels, ...pod.labels })) deployment.podMetadata.addLabel(k, v);
        for (const [k, v] of Object.entries(pod.annotations)) deployment.podMetadata.addAnnotation(k, v);
      }
      const serviceList: [string, string, Record<string, string>, boolean][] = [['Service', name, { app: name }, true]];
      if (versionServices(c.provider)) {
        serviceList.push(['Service-v1', `${name}-v1`, { app: name, version: 'v1' }, false], ['Service-v2', `${name}-v2`, { app: name, version: 'v2' }, false]);
      }
      for (const [serviceId, serviceName, selector, host] of serviceList) {
        const service = new kplus.Service(group, serviceId, {
          metadata: {
            name: serviceName,
            namespace,
            labels: { app: name, ...(host ? svcMesh.labels : {}) },
            annotations: host ? svcMesh.annotations : undefined,
          },
          ports: [{ name: 'http', port: PORT, targetPort: PORT }],
        });
        for (const [k, v] of Object.entries(selector)) service.selectLabel(k, v);
        ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', 'http'));
      }
      for (const [objectId, object] of serviceObjects(c.provider, s)) new ApiObject(group, objectId, object);
    }
    for (const [objectId, object] of namespaceObjects(c.provider, ns)) {
      const o = new ApiObject(chart, `${ns}-${objectId}`, object);
      // a Namespace has no namespace, whatever the chart's
      if (object.kind === 'Namespace' && chart.namespace) o.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
  return built(app);
}
