/**
 * The mesh objects of the benchmark's program, written by hand as plain data (what a team without
 * the library writes, from the meshes' documentation). The hand-written cdk8s program wraps them
 * in `ApiObject`s; the plain program serializes them as they are.
 */
import { PORT, Provider, Service, STEPS } from './spec';

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

const VERSIONS = ['v1', 'v2'] as const;

/** Pod labels and annotations each mesh needs on a workload. */
export function podMesh(provider: Provider): { labels: Record<string, string>; annotations: Record<string, string> } {
  switch (provider) {
    case 'istio': return {
      labels: { 'sidecar.istio.io/inject': 'true' },
      annotations: {
        'sidecar.istio.io/proxyCPU': '100m',
        'sidecar.istio.io/proxyCPULimit': '2000m',
        'sidecar.istio.io/proxyMemory': '256Mi',
        'sidecar.istio.io/proxyMemoryLimit': '1Gi',
      },
    };
    case 'istio-ambient': return { labels: {}, annotations: {} };
    case 'linkerd': return {
      labels: {},
      annotations: {
        'config.linkerd.io/proxy-cpu-limit': '2000m',
        'config.linkerd.io/proxy-cpu-request': '100m',
        'config.linkerd.io/proxy-memory-limit': '1Gi',
        'config.linkerd.io/proxy-memory-request': '256Mi',
        'linkerd.io/inject': 'enabled',
      },
    };
  }
}

/** Labels and annotations each mesh needs on the host's Service. */
export function serviceMesh(provider: Provider): { labels: Record<string, string>; annotations: Record<string, string> } {
  switch (provider) {
    case 'istio': return { labels: {}, annotations: {} };
    case 'istio-ambient': return { labels: { 'istio.io/use-waypoint': 'waypoint' }, annotations: {} };
    case 'linkerd': return {
      labels: {},
      annotations: {
        'balancer.linkerd.io/failure-accrual': 'consecutive',
        'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '5',
        'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '30s',
      },
    };
  }
}

/** Linkerd's Gateway API routing addresses each version through a Service of its own. */
export function versionServices(provider: Provider): boolean {
  return provider === 'linkerd';
}

/** The service's routing, circuit breaking and authorization objects, by an id unique in the service. */
export function serviceObjects(provider: Provider, s: Service): [string, K8sObject][] {
  const { name, namespace } = s;
  const weight = STEPS[s.step];
  const metadata = { name, namespace };
  const subsetLabels = (v: string) => ({ app: name, version: v });
  const objects: [string, K8sObject][] = [];
  if (provider === 'istio' || provider === 'istio-ambient') {
    const retries = { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' };
    objects.push(['DestinationRule', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata,
      spec: {
        host: name,
        subsets: VERSIONS.map(v => ({ name: v, labels: subsetLabels(v) })),
        trafficPolicy: {
          connectionPool: { tcp: { maxConnections: 100 } },
          outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: '30s' },
        },
      },
    }]);
    objects.push(['VirtualService', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata,
      spec: {
        hosts: [name],
        http: [
          {
            name: 'canary-match',
            match: [{ headers: { 'x-canary': { exact: 'true' } } }],
            route: [{ destination: { host: name, subset: 'v2' } }],
            retries,
            timeout: '10s',
          },
          {
            name: 'canary-split',
            route: [
              { destination: { host: name, subset: 'v1' }, weight: 100 - weight },
              { destination: { host: name, subset: 'v2' }, weight },
            ],
            retries,
            timeout: '10s',
          },
        ],
      },
    }]);
  }
  if (provider === 'istio') {
    objects.push(['AuthorizationPolicy', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `${name}-authz`, namespace },
      spec: { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: [namespace] } }] }], selector: { matchLabels: { app: name } } },
    }]);
  }
  if (provider === 'istio-ambient') {
    // ztunnel admits only the waypoint; the waypoint applies the rule to the Service's traffic.
    objects.push(['AuthorizationPolicy', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `${name}-authz`, namespace },
      spec: {
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: [`cluster.local/ns/${namespace}/sa/waypoint`] } }] }],
        selector: { matchLabels: { app: name } },
      },
    }]);
    objects.push(['WaypointAuthorizationPolicy', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `${name}-authz-waypoint`, namespace },
      spec: {
        action: 'ALLOW',
        rules: [{ from: [{ source: { namespaces: [namespace] } }] }],
        targetRefs: [{ group: '', kind: 'Service', name }],
      },
    }]);
  }
  if (provider === 'linkerd') {
    const timeouts = { request: '10s' };
    objects.push(['HTTPRoute', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name,
        namespace,
        annotations: { 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '3', 'retry.linkerd.io/timeout': '2s' },
      },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name, port: PORT }],
        rules: [
          {
            matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }],
            backendRefs: [{ name: `${name}-v2`, port: PORT }],
            timeouts,
          },
          {
            backendRefs: [
              { name: `${name}-v1`, port: PORT, weight: 100 - weight },
              { name: `${name}-v2`, port: PORT, weight },
            ],
            timeouts,
          },
        ],
      },
    }]);
    const server = `${name}-authz-${PORT}`;
    objects.push(['Server', {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: server, namespace },
      spec: { podSelector: { matchLabels: { app: name } }, port: PORT },
    }]);
    objects.push(['MeshTLSAuthentication', {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: { name: `${name}-authz-rule-0`, namespace },
      spec: { identityRefs: [{ kind: 'Namespace', name: namespace }] },
    }]);
    objects.push(['AuthorizationPolicy', {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `${name}-authz-rule-0-${PORT}`, namespace },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: server },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: `${name}-authz-rule-0` }],
      },
    }]);
  }
  return objects;
}

/** A namespace's mTLS (and, on ambient, its waypoint), by an id unique in the namespace. */
export function namespaceObjects(provider: Provider, namespace: string): [string, K8sObject][] {
  if (provider === 'linkerd') {
    return [['Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        annotations: {
          'config.linkerd.io/default-inbound-policy': 'all-authenticated',
          // a namespace of the app's, not the migration's: never pruned by Argo CD or Flux
          'argocd.argoproj.io/sync-options': 'Prune=false',
          'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        },
      },
    }]];
  }
  const objects: [string, K8sObject][] = [['PeerAuthentication', {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace },
    spec: { mtls: { mode: 'STRICT' } },
  }]];
  if (provider === 'istio-ambient') {
    objects.push(['Waypoint', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace, labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    }]);
  }
  return objects;
}
