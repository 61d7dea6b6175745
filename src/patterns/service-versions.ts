/**
 * Internal: the data plane and host of a routed service, shared by TrafficRoutes and
 * CanaryRelease so both reach the mesh through one host and one renderer path.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CanaryVersionIntent } from './canary-version-intent';
import { MeshIdentity, WorkloadSelector } from '../identity';
import { IMesh } from '../mesh';
import { MeshWorkload } from '../mesh-workload';
import { MeshHost } from '../model/host';
import { VersionIntent } from '../model/intents';
import { ServiceProtocol } from '../model/protocol';
import { ServicePortSpec } from '../model/renderer';
import { checkServiceName, invalid } from '../private/errors';
import { extend } from '../private/objects';
import { own } from '../private/ownership';
import { dns1035Label, dns1123Label, enumOf, Fields, fieldsOnce, meshRef, optional, portNumber, required } from '../private/validation';

/** The checks of the props every routed service has (CanaryRelease, TrafficRoutes). */
export const SERVICE_FIELDS = fieldsOnce((): Fields => ({
  mesh: required(meshRef),
  serviceName: required(dns1035Label),
  namespace: optional(dns1123Label),
  port: required(portNumber),
  targetPort: optional(portNumber),
  protocol: optional(enumOf(ServiceProtocol, 'ServiceProtocol')),
}));

export interface VersionSpec {
  readonly intent: CanaryVersionIntent;
  /** the construct id of the version's workload, when deployed */
  readonly workloadId: string;
}

export interface ServiceVersionsSpec {
  readonly mesh: IMesh;
  readonly serviceName: string;
  readonly namespace?: string;
  readonly port: number;
  readonly targetPort: number;
  /** what the port serves: its name and appProtocol, and the host's routing objects */
  readonly protocol: ServiceProtocol;
  readonly versions: VersionSpec[];
}

export interface ServiceVersions {
  readonly host: MeshHost;
  readonly service: kplus.Service;
  /** by version name, for the versions deployed here */
  readonly workloads: Map<string, MeshWorkload>;
  readonly identity?: MeshIdentity;
  readonly workloadSelector: WorkloadSelector;
}

/** Checks the per-version Service names the routing API needs, before anything is created. */
export function checkVersionServiceNames(scope: Construct, mesh: IMesh, serviceName: string, versions: string[]): void {
  if (!mesh.provider._renderers.traffic.versionServices) return;
  for (const v of versions) checkServiceName(scope, 'per-version Service name', `${serviceName}-${v}`);
}

/**
 * Deploys (or adopts) the versions, creates the Service that selects them all and, where the
 * routing API addresses versions through Services, one Service per version; records the
 * versions on the host.
 */
export function declareServiceVersions(scope: Construct, spec: ServiceVersionsSpec): ServiceVersions {
  const provider = spec.mesh.provider;
  checkVersionServiceNames(scope, spec.mesh, spec.serviceName, spec.versions.map(v => v.intent.name));
  // The host first: a second construct on it with another port or protocol fails on that, before
  // its objects collide with the first one's.
  const host = MeshHost.obtain(scope, provider._renderers, {
    name: spec.serviceName, namespace: spec.namespace, port: spec.port, protocol: spec.protocol,
  });
  // Versions of one service share one identity, so authorization rules hold during a release.
  const deploysAny = spec.versions.some(v => v.intent.kind === 'deploy');
  const serviceAccount = deploysAny ? new kplus.ServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: spec.serviceName, namespace: spec.namespace, labels: { app: spec.serviceName } },
    automountToken: false,
  }) : undefined;
  if (serviceAccount) own(ApiObject.of(serviceAccount), { owner: scope });
  const namespace = spec.namespace ?? Chart.of(scope).namespace;
  const workloads = new Map<string, MeshWorkload>();
  const bound = spec.versions.map(({ intent: v, workloadId }) => {
    if (v.kind === 'existing') return { name: v.name, labels: v.labels };
    const workload = new MeshWorkload(scope, workloadId, extend(v.deploy, {
      mesh: spec.mesh,
      serviceName: spec.serviceName,
      version: v.name,
      port: spec.targetPort,
      protocol: spec.protocol,
      namespace: spec.namespace,
      serviceAccount,
    }));
    workloads.set(v.name, workload);
    return { name: v.name, labels: workload.selectorLabels };
  });

  // One Service selects all versions: the labels the versions have in common.
  const [first, ...rest] = bound;
  const common = Object.entries(first.labels).filter(([k, val]) => rest.every(b => b.labels[k] === val));
  if (common.length === 0) {
    invalid(scope, 'version labels', Object.fromEntries(bound.map(b => [b.name, b.labels])),
      'sharing at least one label (such as app) so one Service can select every version');
  }
  const workloadSelector = WorkloadSelector.labels(Object.fromEntries(common), { namespace, ports: [spec.targetPort] })
    ._withService(spec.serviceName);
  const servicePort = provider._renderers.dataPlane.servicePort(spec.protocol);
  const service = meshService(scope, 'Service', spec.serviceName, spec.namespace, spec.port, spec.targetPort, servicePort, Object.fromEntries(common));

  const versions: VersionIntent[] = bound.map(v => {
    if (!provider._renderers.traffic.versionServices) return v;
    const serviceName = `${spec.serviceName}-${v.name}`;
    meshService(scope, `Service-${v.name}`, serviceName, spec.namespace, spec.port, spec.targetPort, servicePort, v.labels);
    return extend(v, { serviceName });
  });

  const intents = versions.map((v, i) => extend(v, { trafficPolicy: spec.versions[i].intent.trafficPolicy }));
  // One declaration for all the versions (each renders the host), unless a version has a policy of
  // its own: a renderer may give it objects of its own, which are created version by version.
  if (intents.some(v => v.trafficPolicy !== undefined)) intents.forEach(v => host.addVersion(scope, v));
  else host.batch(scope, () => intents.forEach(v => host.addVersion(scope, v)));
  // Meshes that configure a host by annotating its Service (Linkerd failure accrual) find it here.
  host.bindService(scope, ApiObject.of(service));
  return {
    host,
    service,
    workloads,
    identity: serviceAccount ? MeshIdentity._of(serviceAccount.name, namespace) : undefined,
    workloadSelector,
  };
}

/**
 * A ClusterIP Service with one port, named after its protocol, with the `appProtocol` the mesh
 * reads it from (`http`: L7 routing; see each data plane's `servicePort`).
 */
function meshService(scope: Construct, id: string, name: string, namespace: string | undefined, port: number,
  targetPort: number, servicePort: ServicePortSpec, selector: Record<string, string>): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: { name, namespace, labels: { app: selector.app ?? name } },
    ports: [{ name: servicePort.name, port, targetPort }],
  });
  for (const [k, v] of Object.entries(selector)) {
    service.selectLabel(k, v);
  }
  ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', servicePort.appProtocol));
  own(ApiObject.of(service), { owner: scope });
  return service;
}
