import { ApiObjectProps, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioInstallIntent, IstioRevisionIntent } from './install-intent';
import { PeerAuthenticationSpec, SailComponentSpec, SailIstioSpec, SailRevisionTagSpec, SidecarSpec, TelemetrySpec } from './install-types';
import { NamespaceIntent } from '../../model/install';
import { InstallRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { invalid, unsupportedMessage } from '../../private/errors';
import { Claim, emit } from '../../private/ownership';
import { compact, deepMerge, nonEmpty } from '../../private/values';
import { argoCdAfterCharts, ChartRelease, renderArgoCd, renderFlux } from '../shared/gitops';

const REPOSITORY = { name: 'istio', url: 'https://istio-release.storage.googleapis.com/charts' };
/** the namespace the ingress gateway chart installs into, as Istio's Helm guide does */
export const ISTIO_INGRESS_NAMESPACE = 'istio-ingress';
/**
 * The Istio releases the Sail operator serves, per minor: first and last patch (the enum of
 * sailoperator.io/v1 Istio, IstioCNI and ZTunnel `spec.version`; ZTunnel from 1.24). The CRD
 * rejects any other version at apply time.
 */
const SAIL_VERSIONS: Record<string, [number, number]> = {
  '1.21': [6, 6],
  '1.22': [5, 8],
  '1.23': [2, 6],
  '1.24': [0, 6],
  '1.25': [1, 5],
  '1.26': [0, 8],
  '1.27': [0, 9],
  '1.28': [0, 10],
  '1.29': [0, 6],
  '1.30': [0, 3],
};

function sailServes(version: string, ambient: boolean): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  const range = SAIL_VERSIONS[`${major}.${minor}`];
  return range !== undefined && patch >= range[0] && patch <= range[1] && (!ambient || minor >= 24);
}

/** Sail's profiles (sailoperator.io/v1 Istio spec.profile) */
const SAIL_PROFILES = ['ambient', 'default', 'demo'];

/**
 * Istio's install renderer: the control plane (`renderInstall`) and the application namespaces
 * that join the mesh (`renderNamespace`).
 */
export class IstioInstall implements InstallRenderer {
  public readonly displayName: string;
  public readonly namespace: string;
  public readonly reservedNamespaces: string[];
  /** annotations of objects that need the charts' CRDs (Argo CD: a later wave, no dry run) */
  private after?: Record<string, string>;

  constructor(private readonly intent: IstioInstallIntent, public readonly revisionTargets: string[]) {
    this.displayName = intent.ambient ? 'Istio in ambient mode' : 'Istio';
    this.namespace = intent.namespace;
    this.reservedNamespaces = [intent.namespace, ISTIO_INGRESS_NAMESPACE];
  }

  public namespaceUnsupported(ns: NamespaceIntent): Unsupported[] {
    const out: Unsupported[] = [];
    if (ns.defaultInboundPolicy !== undefined) {
      out.push({ feature: `a default inbound policy for namespace '${ns.name}'`, instead: 'it is a Linkerd setting: set the namespace\'s mode with StrictMtlsMigration (a PeerAuthentication)' });
    }
    if (ns.egressHosts !== undefined && this.intent.ambient) {
      out.push({
        feature: `a Sidecar limiting egress for namespace '${ns.name}'`,
        instead: 'ambient pods have no sidecar to configure; drop egressHosts (ztunnel and waypoints are not sized by egress)',
      });
    }
    return out;
  }

  public renderInstall(scope: Construct): void {
    this.after = renderIstioInstall(scope, this.intent);
  }

  public renderNamespace(scope: Construct, ns: NamespaceIntent): void {
    renderIstioNamespace(scope, this.intent, ns, this.after);
  }
}

/** Objects of the install: the install owns them alone. */
function emitOwned(scope: Construct, id: string, props: ApiObjectProps, i: IstioInstallIntent, resolve?: string): void {
  emit(scope, id, props, { owner: i.source, resolve });
}

/**
 * Renders an Istio install: the mesh namespace, the control plane through Helm (Flux or Argo CD:
 * base → istiod per revision → cni → ztunnel → gateway) or the Sail operator (Istio per revision,
 * IstioRevisionTag, IstioCNI, ZTunnel), and the mesh-wide defaults (PeerAuthentication in the root
 * namespace, Telemetry).
 * @see https://istio.io/latest/docs/setup/install/helm/
 * @see https://github.com/istio-ecosystem/sail-operator/blob/main/docs/README.md
 */
/**
 * Where the objects that need Istio's CRDs go. Flux dry-runs all objects of a Kustomization
 * server-side before applying any, so custom resources whose CRDs a HelmRelease of the same set
 * installs fail the dry run, and the HelmRelease is never applied: the first install deadlocks.
 * With Flux they go to a chart of their own (a file of their own), applied by a second
 * Kustomization that `dependsOn` the first (README, "Installing the mesh with Flux"). Argo CD
 * skips the dry run for them instead (the `after` annotations).
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#dependencies
 */
function crdDependent(scope: Construct, i: IstioInstallIntent): Construct {
  if (i.method.kind !== 'flux') return scope;
  return (scope.node.tryFindChild(MESH_CONFIG) as Construct | undefined) ?? new Chart(scope, MESH_CONFIG, { namespace: Chart.of(scope).namespace });
}

/** The id of the chart that holds the mesh-wide configuration of a Flux install. */
export const MESH_CONFIG = 'MeshConfig';

function renderIstioInstall(root: Construct, i: IstioInstallIntent): Record<string, string> | undefined {
  namespace(root, 'Namespace', i.namespace, {}, i);
  const after = i.method.kind === 'sail' ? sail(root, i) : helm(root, i);
  const scope = i.peerAuthentication || i.telemetry ? crdDependent(root, i) : root;
  if (i.peerAuthentication) {
    // PERMISSIVE first (the seeds' migration lesson): plaintext from not-yet-meshed clients keeps
    // working. StrictMtlsMigration takes over this object's job; turn this one off when it does.
    const spec: PeerAuthenticationSpec = { mtls: { mode: 'PERMISSIVE' } };
    emitOwned(scope, 'PeerAuthentication', {
      apiVersion: i.apis.security, kind: 'PeerAuthentication', metadata: { name: 'default', namespace: i.namespace, annotations: after }, spec,
    }, i, `set meshPeerAuthentication: false on ${i.source.node.path} (the migration then owns the mesh-wide mode)`);
  }
  if (i.telemetry) {
    const t = i.telemetry;
    const spec: TelemetrySpec = {
      accessLogging: t.accessLogging ? [{ providers: [{ name: 'envoy' }] }] : undefined,
      tracing: t.tracingSamplingPercent !== undefined ? [{
        providers: t.tracingProvider ? [{ name: t.tracingProvider }] : undefined,
        randomSamplingPercentage: t.tracingSamplingPercent,
      }] : undefined,
    };
    emitOwned(scope, 'Telemetry', {
      apiVersion: i.apis.telemetry,
      kind: 'Telemetry',
      metadata: { name: 'mesh-default', namespace: i.namespace, annotations: after },
      spec,
    }, i);
  }
  return after;
}

/**
 * An app namespace: `istio-injection: enabled` for the default revision, `istio.io/rev` for a
 * revision or tag, `istio.io/dataplane-mode: ambient` in ambient mode; with the kill switch,
 * `istio-injection: disabled` (which beats every pod label) or `istio.io/dataplane-mode: none`.
 * A namespace that limits egress gets a `Sidecar` named `default`.
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
 */
function renderIstioNamespace(root: Construct, i: IstioInstallIntent, ns: NamespaceIntent, after?: Record<string, string>): void {
  const scope = root;
  const revision = ns.revision ?? i.defaultRevision;
  let labels: Record<string, string>;
  if (i.ambient) {
    labels = ns.injected
      ? { 'istio.io/dataplane-mode': 'ambient', ...(ns.revision ? { 'istio.io/rev': ns.revision } : {}) }
      : { 'istio.io/dataplane-mode': 'none' };
  } else if (!ns.injected) {
    labels = { 'istio-injection': 'disabled' };
  } else {
    labels = revision ? { 'istio.io/rev': revision } : { 'istio-injection': 'enabled' };
  }
  namespace(scope, `Namespace-${ns.name}`, ns.name, labels, i);
  if (ns.egressHosts) {
    const spec: SidecarSpec = { egress: [{ hosts: ns.egressHosts }] };
    emitOwned(crdDependent(root, i), `Sidecar-${ns.name}`, {
      apiVersion: i.apis.networking,
      kind: 'Sidecar',
      metadata: { name: 'default', namespace: ns.name, annotations: after },
      spec,
    }, i);
  }
}

/** A Namespace: shared with other constructs that declare it (their labels and annotations merge). */
function namespace(scope: Construct, id: string, name: string, labels: Record<string, string>, i: IstioInstallIntent): void {
  const claim: Claim = { owner: i.source, merge: 'metadata' };
  emit(scope, id, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: nonEmpty(labels) } }, claim);
}

/** Helm through Flux or Argo CD. Returns the annotations for objects that need the charts' CRDs. */
function helm(scope: Construct, i: IstioInstallIntent): Record<string, string> | undefined {
  const helmProfile = i.profile === 'minimal' ? undefined : i.profile; // Helm has no "minimal": it is istiod alone
  const values = (chart: string, typed: Record<string, unknown>) => deepMerge(compact({ profile: helmProfile, ...typed }), i.chartValues[chart]);
  const newest = [...i.revisions].sort((a, b) => compareVersions(b.version, a.version))[0];
  const primary = i.revisions[0];
  const named = i.revisions.some(r => r.name !== undefined);
  const istiodName = (r: IstioRevisionIntent) => r.name ? `istiod-${r.name}` : 'istiod';
  const releases: ChartRelease[] = [{
    name: 'istio-base',
    chart: 'base',
    // The CRDs come from the newest revision, so every control plane finds the fields it knows.
    version: newest.version,
    repository: REPOSITORY,
    namespace: i.namespace,
    values: values('base', { defaultRevision: named ? primary.name : undefined }),
    dependsOn: [],
    // istiod sets the webhook's failurePolicy itself once it runs: not drift.
    ignoreDifferences: [{
      group: 'admissionregistration.k8s.io',
      kind: 'ValidatingWebhookConfiguration',
      name: 'istiod-default-validator',
      jsonPointers: ['/webhooks/0/failurePolicy'],
    }],
  }];
  for (const r of i.revisions) {
    releases.push({
      name: istiodName(r),
      chart: 'istiod',
      version: r.version,
      repository: REPOSITORY,
      namespace: i.namespace,
      values: values('istiod', {
        ...istiodValues(i),
        revision: r.name,
        revisionTags: r.tags.length > 0 ? r.tags : undefined,
      }),
      dependsOn: ['istio-base'],
    });
  }
  const afterIstiod = [istiodName(primary)];
  if (i.profile === 'ambient') {
    releases.push({
      name: 'istio-cni',
      chart: 'cni',
      version: primary.version,
      repository: REPOSITORY,
      namespace: i.namespace,
      values: values('cni', {}),
      dependsOn: afterIstiod,
    });
    releases.push({
      name: 'ztunnel',
      chart: 'ztunnel',
      version: primary.version,
      repository: REPOSITORY,
      namespace: i.namespace,
      values: values('ztunnel', {}),
      dependsOn: ['istio-cni'],
    });
  }
  if (i.ingressGateway) {
    namespace(scope, 'Namespace-ingress', ISTIO_INGRESS_NAMESPACE, {}, i);
    releases.push({
      name: 'istio-ingressgateway',
      chart: 'gateway',
      version: primary.version,
      repository: REPOSITORY,
      namespace: ISTIO_INGRESS_NAMESPACE,
      // the gateway chart has no profile value
      values: deepMerge(compact({ revision: primary.name }), i.chartValues.gateway),
      dependsOn: afterIstiod,
    });
  }
  if (i.method.kind === 'flux') {
    renderFlux(scope, i.method, releases);
    return undefined;
  }
  if (i.method.kind === 'argocd') {
    renderArgoCd(scope, i.method, releases);
    return argoCdAfterCharts(releases);
  }
  return undefined;
}

/** The Sail operator: one `Istio` per revision (InPlace, so the revision is the object's name). */
function sail(scope: Construct, i: IstioInstallIntent): undefined {
  if (!SAIL_PROFILES.includes(i.profile)) {
    throw new Error(unsupportedMessage(i.source, 'the Sail operator', `the '${i.profile}' profile`,
      `Sail's profiles are ${SAIL_PROFILES.join(', ')}; use IstioProfile.DEFAULT (Sail installs istiod alone, which is what "minimal" means)`));
  }
  if (i.ingressGateway) {
    throw new Error(unsupportedMessage(i.source, 'the Sail operator', 'an ingress gateway',
      'Sail installs no gateways; set ingressGateway: false and deploy one with a Gateway API Gateway (gateway injection)'));
  }
  for (const key of Object.keys(i.chartValues)) {
    if (!['istiod', 'cni', 'ztunnel'].includes(key)) {
      throw new Error(unsupportedMessage(i.source, 'the Sail operator', `chartValues for '${key}'`, 'Sail takes values for istiod (Istio), cni (IstioCNI) and ztunnel (ZTunnel)'));
    }
  }
  i.revisions.forEach((r, k) => {
    if (!sailServes(r.version, i.profile === 'ambient')) {
      invalid(i.source, i.revisions.length > 1 || r.name !== undefined ? `revisions[${k}].version` : 'version', r.version,
        `a release the Sail operator serves (sailoperator.io/v1 spec.version: ${Object.entries(SAIL_VERSIONS)
          .map(([m, [a, b]]) => a === b ? `${m}.${a}` : `${m}.${a}–${m}.${b}`).join(', ')}${i.profile === 'ambient' ? '; ZTunnel from 1.24.0' : ''})`);
    }
  });
  for (const r of i.revisions) {
    const name = r.name ?? 'default';
    const spec: SailIstioSpec = {
      version: `v${r.version}`,
      namespace: i.namespace,
      profile: i.profile,
      updateStrategy: { type: 'InPlace' },
      values: nonEmpty(deepMerge(compact(istiodValues(i)), i.chartValues.istiod)),
    };
    emitOwned(scope, `Istio-${name}`, { apiVersion: 'sailoperator.io/v1', kind: 'Istio', metadata: { name }, spec }, i);
    for (const tag of r.tags) {
      const tagSpec: SailRevisionTagSpec = { targetRef: { kind: 'Istio', name } };
      emitOwned(scope, `IstioRevisionTag-${tag}`, { apiVersion: 'sailoperator.io/v1', kind: 'IstioRevisionTag', metadata: { name: tag }, spec: tagSpec }, i);
    }
  }
  if (i.profile === 'ambient') {
    const version = `v${i.revisions[0].version}`;
    // Sail requires these singletons to be named "default".
    const cni: SailComponentSpec = { version, namespace: i.namespace, profile: 'ambient', values: nonEmpty(i.chartValues.cni ?? {}) };
    emitOwned(scope, 'IstioCNI', { apiVersion: 'sailoperator.io/v1', kind: 'IstioCNI', metadata: { name: 'default' }, spec: cni }, i);
    const ztunnel: SailComponentSpec = { version, namespace: i.namespace, values: nonEmpty(i.chartValues.ztunnel ?? {}) };
    emitOwned(scope, 'ZTunnel', { apiVersion: 'sailoperator.io/v1', kind: 'ZTunnel', metadata: { name: 'default' }, spec: ztunnel }, i);
  }
  return undefined;
}

/** The istiod chart's values (also Sail's `Istio.spec.values`) for the typed settings. */
function istiodValues(i: IstioInstallIntent): Record<string, unknown> {
  const ttl = i.workloadCertTtl ? goDuration(i.workloadCertTtl) : undefined;
  const d = i.istiod;
  return {
    global: {
      proxy: {
        resources: {
          requests: { cpu: i.proxy.cpuRequest, memory: i.proxy.memoryRequest },
          limits: { cpu: i.proxy.cpuLimit, memory: i.proxy.memoryLimit },
        },
      },
    },
    meshConfig: {
      accessLogFile: i.accessLogFile,
      outboundTrafficPolicy: i.outboundTrafficPolicy ? { mode: i.outboundTrafficPolicy } : undefined,
      trustDomain: i.trustDomain,
      defaultConfig: {
        holdApplicationUntilProxyStarts: i.ambient ? undefined : i.holdApplicationUntilProxyStarts,
        // the lifetime the proxy asks for (istiod's own default below covers requests without one)
        proxyMetadata: ttl ? { SECRET_TTL: ttl } : undefined,
      },
    },
    pilot: {
      replicaCount: d.replicas,
      autoscaleEnabled: d.replicas !== undefined ? false : true,
      autoscaleMin: d.autoscaleMin,
      autoscaleMax: d.autoscaleMax,
      resources: d.resources,
      env: {
        PILOT_PUSH_THROTTLE: d.pushThrottle !== undefined ? String(d.pushThrottle) : undefined,
        DEFAULT_WORKLOAD_CERT_TTL: ttl,
      },
    },
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let k = 0; k < Math.max(pa.length, pb.length); k++) {
    const d = (pa[k] || 0) - (pb[k] || 0);
    if (d !== 0) return d;
  }
  return 0;
}
