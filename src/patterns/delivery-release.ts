/**
 * Internal: the data plane of a release that a delivery controller (Flagger, Argo Rollouts)
 * drives. The controller owns the copies of the workload it makes (Flagger's primary, the
 * Rollout's ReplicaSets), so one workload is built, from the canary's spec, under a name that
 * outlives releases (the service's), and selected by labels that do not change from one release
 * to the next (a Deployment's selector is immutable). Everything else goes through the host,
 * which renders through the controller's renderer.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CanaryVersionIntent } from './canary-version-intent';
import { ServiceVersions } from './service-versions';
import { MeshIdentity, WorkloadSelector } from '../identity';
import { IMesh } from '../mesh';
import { MeshWorkload } from '../mesh-workload';
import { DeliveryOptionsIntent, DeliveryReleaseIntent, DeliveryWorkloadIntent } from '../model/delivery-intent';
import { MeshHost } from '../model/host';
import { RouteIntent } from '../model/intents';
import { ServiceProtocol } from '../model/protocol';
import { DeliveryRenderer } from '../model/renderer';
import { invalid } from '../private/errors';
import { own } from '../private/ownership';

export interface DeliveryReleaseSpec {
  readonly mesh: IMesh;
  readonly serviceName: string;
  readonly namespace?: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: ServiceProtocol;
  readonly stable: CanaryVersionIntent;
  readonly canary: CanaryVersionIntent;
  readonly steps: number[];
  readonly mirrorPercent?: number;
}

export interface DeliveryRelease extends ServiceVersions {
  readonly renderer: DeliveryRenderer;
}

const ENGINE_NAMES: Record<string, string> = { 'flagger': 'Delivery.flagger()', 'argo-rollouts': 'Delivery.argoRollouts()' };

/** Deploys the release for `options`' controller and hands the host to it, then records the routes. */
export function declareDeliveryRelease(scope: Construct, spec: DeliveryReleaseSpec, options: DeliveryOptionsIntent,
  routes: RouteIntent[]): DeliveryRelease {
  const engine = ENGINE_NAMES[options.engine];
  const canary = spec.canary;
  if (canary.kind !== 'deploy') {
    invalid(scope, 'canary', canary.name, `CanaryVersion.deploy(...) with ${engine}: the controller rolls out the workload spec it is given, and an existing workload has none here`);
  }
  // Flagger names Services and Deployments `<name>-primary` and `<name>-canary`, Argo Rollouts
  // `<name>-stable` and `<name>-canary`: each must still be a Service name (DNS-1035, 63 characters).
  if (spec.serviceName.length > 55) {
    invalid(scope, 'serviceName', spec.serviceName, `at most 55 characters with ${engine}: the controller's objects are named <serviceName>-primary, -canary or -stable`);
  }
  // The controller's workloads and Services stand for roles (primary or stable, canary) that
  // change versions at every promotion: a policy of one version has nowhere to stay.
  for (const [prop, v] of [['stable', spec.stable], ['canary', spec.canary]] as const) {
    if (v.trafficPolicy) {
      invalid(scope, `${prop}.trafficPolicy`, v.name, `unset with ${engine}: its Services and subsets stand for roles that change versions at each promotion; `
        + 'set the policy for the host with a CircuitBreaker');
    }
  }
  const app = { app: spec.serviceName };
  let workload: MeshWorkload | undefined;
  let deployment: ApiObject | undefined;
  const release: DeliveryReleaseIntent = {
    source: scope,
    serviceName: spec.serviceName,
    namespace: spec.namespace,
    port: spec.port,
    targetPort: spec.targetPort,
    stable: spec.stable.name,
    canary: canary.name,
    steps: spec.steps,
    matches: routes.filter(r => r.matches.length > 0).flatMap(r => r.matches),
    mirrorPercent: spec.mirrorPercent,
    workload: (): DeliveryWorkloadIntent => ({
      template: (deployment!.toJson() as { spec: { template: unknown } }).spec.template,
      selector: app,
      replicas: canary.deploy.replicas ?? 2,
    }),
  };
  const renderer = spec.mesh.provider._renderers.delivery.renderer(options, release);
  const plane = renderer.dataPlane;

  // The versions share one identity, so authorization rules hold across releases.
  const serviceAccount = new kplus.ServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: spec.serviceName, namespace: spec.namespace, labels: app },
    automountToken: false,
  });
  own(ApiObject.of(serviceAccount), { owner: scope });
  workload = new MeshWorkload(scope, 'Canary', {
    ...canary.deploy,
    mesh: spec.mesh,
    serviceName: spec.serviceName,
    version: canary.name,
    name: plane.workloadName,
    port: spec.targetPort,
    protocol: spec.protocol,
    namespace: spec.namespace,
    serviceAccount,
  });
  deployment = ApiObject.of(workload.deployment);
  deployment.addJsonPatch(JsonPatch.replace('/spec/selector/matchLabels', app));
  if (plane.omitReplicas) deployment.addJsonPatch(JsonPatch.remove('/spec/replicas'));
  for (const [k, v] of Object.entries(plane.podLabels)) workload.deployment.podMetadata.addLabel(k, v);
  if (plane.templateOnly) {
    // The controller's own object (a Rollout) carries the pod template: the Deployment is read at
    // synthesis for it and not emitted. Escape hatches on `canaryWorkload.deployment` still apply.
    workload.deployment.node.tryRemoveChild(deployment.node.id);
  }

  const service = new kplus.Service(scope, 'Service', {
    metadata: { name: spec.serviceName, namespace: spec.namespace, labels: app },
    ports: [{ name: 'http', port: spec.port, targetPort: spec.targetPort }],
  });
  for (const [k, v] of Object.entries(plane.serviceSelector(app))) service.selectLabel(k, v);
  ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/ports/0/appProtocol', 'http'));
  own(ApiObject.of(service), { owner: scope });

  const host = MeshHost.obtain(scope, spec.mesh.provider._renderers, {
    name: spec.serviceName, namespace: spec.namespace, port: spec.port, protocol: spec.protocol,
  });
  host.setDelivery(scope, renderer);
  for (const v of [spec.stable, canary]) host.addVersion(scope, { name: v.name, labels: { ...app, version: v.name } });
  host.bindService(scope, ApiObject.of(service));
  for (const route of routes) host.addRoute(route);

  const namespace = spec.namespace ?? Chart.of(scope).namespace;
  return {
    host,
    service,
    workloads: new Map([[canary.name, workload]]),
    identity: MeshIdentity._of(serviceAccount.name, namespace),
    workloadSelector: WorkloadSelector.labels(plane.policySelector(app), { namespace, ports: [spec.targetPort] })._withService(spec.serviceName),
    renderer,
  };
}
