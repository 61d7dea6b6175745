/**
 * The same objects as plain data, serialized with `yaml` (the library cdk8s writes with, same
 * options), one file per chart: no constructs at all. The floor any cdk8s program is measured
 * against. Workloads carry what cdk8s-plus-28 would write (the library drops its pod address label).
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { Built } from './built';
import { K8sObject, namespaceObjects, podMesh, serviceMesh, serviceObjects, versionServices } from './objects';
import { Case, chartIdOf, namespacesOf, PORT } from './spec';

function deployment(name: string, namespace: string, version: string, tag: string,
  mesh: { labels: Record<string, string>; annotations: Record<string, string> }): K8sObject {
  const labels = { app: name, version };
  const podAnnotations = Object.keys(mesh.annotations).length > 0 ? mesh.annotations : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { labels, name: `${name}-${version}`, namespace },
    spec: {
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: {
          ...(podAnnotations ? { annotations: podAnnotations } : {}),
          labels: { ...labels, ...mesh.labels },
        },
        spec: {
          automountServiceAccountToken: false,
          containers: [{
            image: `registry.example.com/${name}:${tag}`,
            imagePullPolicy: 'Always',
            name,
            ports: [{ containerPort: PORT, name: 'http' }],
            resources: { limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } },
            securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true },
          }],
          dnsPolicy: 'ClusterFirst',
          hostNetwork: false,
          restartPolicy: 'Always',
          securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: true },
          serviceAccountName: name,
          setHostnameAsFQDN: false,
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
}

function service(name: string, namespace: string, selector: Record<string, string>, labels: Record<string, string>,
  annotations: Record<string, string>): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...(Object.keys(annotations).length > 0 ? { annotations } : {}), labels, name, namespace },
    spec: {
      externalIPs: [],
      ports: [{ appProtocol: 'http', name: 'http', port: PORT, targetPort: PORT }],
      selector,
      type: 'ClusterIP',
    },
  };
}

export function construct(c: Case, outdir: string): Built {
  const pod = podMesh(c.provider);
  const svcMesh = serviceMesh(c.provider);
  const files = new Map<string, K8sObject[]>();
  for (const [ns, services] of namespacesOf(c.services)) {
    const chart = chartIdOf(c.layout, ns);
    const objects = files.get(chart) ?? [];
    files.set(chart, objects);
    for (const s of services) {
      const name = s.name;
      objects.push({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        automountServiceAccountToken: false,
        metadata: { labels: { app: name }, name, namespace: ns },
      });
      objects.push(deployment(name, ns, 'v1', '1.0.0', pod), deployment(name, ns, 'v2', '1.1.0', pod));
      objects.push(service(name, ns, { app: name }, { app: name, ...svcMesh.labels }, svcMesh.annotations));
      if (versionServices(c.provider)) {
        for (const v of ['v1', 'v2']) objects.push(service(`${name}-${v}`, ns, { app: name, version: v }, { app: name }, {}));
      }
      for (const [, object] of serviceObjects(c.provider, s)) objects.push(object);
    }
    for (const [, object] of namespaceObjects(c.provider, ns)) objects.push(object);
  }
  return {
    synth: () => {
      for (const [chart, objects] of files) {
        const text = objects.map(o => stringify(o, { keepUndefined: true, lineWidth: 0, version: '1.1' })).join('---\n');
        writeFileSync(join(outdir, `${chart}.k8s.yaml`), text);
      }
    },
  };
}
