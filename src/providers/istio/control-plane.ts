/**
 * The public options of `MeshControlPlane.istio()`, and the binding that turns them into Istio's
 * install renderer and the provider its workloads render with.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { IstioInstallIntent, IstioRevisionIntent } from './install-intent';
import { IstioInstall, ISTIO_INGRESS_NAMESPACE } from './istio-install';
import { istioApis, IstioDataPlaneMode, IstioProviderOptions, istioRenderers, IstioRoutingApi, IstioVersion } from './options';
import { InstallMethodIntent } from '../../model/install';
import { ControlPlaneBinding } from '../../model/renderer';
import { checkDns1123Label, checkPercent, invalid } from '../../private/errors';
import { memoryQuantity, proxyQuantities, withProxyDefaults } from '../../private/proxy-quantities';
import { arrayOf, boolean, checkProps, duration, enumOf, object, optional, proxyResources, required, string } from '../../private/validation';
import { chartValues, positiveInt } from '../../private/values';
import { ProxyResources } from '../../proxy';

/**
 * An Istio installation profile: which components and defaults the charts start from.
 * @see https://istio.io/latest/docs/setup/additional-setup/config-profiles/
 */
export enum IstioProfile {
  /** production baseline: istiod and, with Helm methods, an ingress gateway */
  DEFAULT = 'default',
  /** istiod alone (Helm has no such profile: it installs the default profile without a gateway; Sail cannot) */
  MINIMAL = 'minimal',
  /** for trying Istio out: more tracing and logging, an ingress gateway */
  DEMO = 'demo',
  /** ambient mode: istiod, the istio-cni node agent and ztunnel */
  AMBIENT = 'ambient',
}

/**
 * What sidecars do with traffic to hosts outside the service registry.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode
 */
export enum OutboundTrafficPolicy {
  /** let it through (Istio's default) */
  ALLOW_ANY = 'ALLOW_ANY',
  /** block it unless a ServiceEntry declares the host */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
}

/**
 * One Istio control-plane revision, for canary upgrades: several run side by side and each app
 * namespace is pinned to one of them (or to a tag).
 * @see https://istio.io/latest/docs/setup/upgrade/canary/
 */
export interface IstioRevision {
  /** The revision name, a DNS-1123 label, e.g. `1-24-0`. */
  readonly name: string;

  /** The Istio release of this revision (its chart version), e.g. `1.24.0`. */
  readonly version: string;

  /**
   * Revision tags that point at this revision (e.g. `stable`, `canary`). Namespaces pinned to a tag
   * move when the tag moves.
   * @default - none
   * @see https://istio.io/latest/docs/setup/upgrade/canary/#stable-revision-labels
   */
  readonly tags?: string[];
}

/**
 * How istiod runs.
 */
export interface IstiodOptions {
  /**
   * A fixed number of replicas (turns the autoscaler off).
   * @default - autoscaled between `autoscaleMin` and `autoscaleMax`
   * @see https://artifacthub.io/packages/helm/istio-official/istiod?modal=values&path=pilot.replicaCount
   */
  readonly replicas?: number;

  /**
   * Fewest replicas of the autoscaler: two, so one can go down without stopping configuration pushes.
   * @default 2
   */
  readonly autoscaleMin?: number;

  /**
   * Most replicas of the autoscaler.
   * @default 5
   */
  readonly autoscaleMax?: number;

  /**
   * CPU and memory of istiod.
   * @default - the chart's (requests 500m CPU, 2Gi memory)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * How many configuration pushes istiod runs at once (`PILOT_PUSH_THROTTLE`). Raise it in large
   * meshes (more than ~500 services) where pushes queue up.
   * @default - istiod's (100)
   * @see https://istio.io/latest/docs/reference/commands/pilot-discovery/#envvars
   */
  readonly pushThrottle?: number;
}

/**
 * Mesh-wide telemetry, as a `Telemetry` (telemetry.istio.io/v1) in the root namespace.
 * @see https://istio.io/latest/docs/reference/config/telemetry/
 */
export interface MeshTelemetryOptions {
  /**
   * Envoy access logs (the built-in `envoy` provider, to the proxy's stdout).
   * @default true
   */
  readonly accessLogging?: boolean;

  /**
   * Percentage of requests traced.
   * @default - no tracing configuration
   */
  readonly tracingSamplingPercent?: number;

  /**
   * The tracing provider: an extension provider's name in the mesh config (give it through `chartValues`).
   * @default - the mesh's default tracing provider
   */
  readonly tracingProvider?: string;
}

/**
 * Options for `MeshControlPlane.istio()`. The provider options (routing API, API versions, revision,
 * data-plane mode) decide what the install's `provider` renders for the constructs that use it.
 */
export interface IstioControlPlaneOptions extends IstioProviderOptions {
  /**
   * The Istio release (chart version), with one control plane. Use `revisions` for several. The
   * install's provider targets it (`istioVersion` is taken from here).
   * @default "1.30.3"
   */
  readonly version?: string;

  /**
   * The installation profile.
   * @default IstioProfile.DEFAULT (IstioProfile.AMBIENT when dataPlaneMode is AMBIENT)
   */
  readonly profile?: IstioProfile;

  /**
   * The control plane's namespace (also the mesh's root namespace).
   * @default "istio-system"
   */
  readonly namespace?: string;

  /**
   * Control-plane revisions that run side by side (canary upgrade). The first one serves workloads
   * whose namespace names no revision, unless `revision` says otherwise.
   * @default - one control plane: `revision` (or the default revision) of `version`
   */
  readonly revisions?: IstioRevision[];

  /**
   * Envoy's access log file (`meshConfig.accessLogFile`), e.g. `/dev/stdout`. Prefer
   * `telemetry.accessLogging`; set one of them.
   * @default - none
   */
  readonly accessLogFile?: string;

  /**
   * What sidecars do with traffic to unknown hosts (`meshConfig.outboundTrafficPolicy.mode`).
   * @default - Istio's default (ALLOW_ANY)
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicy;

  /**
   * Start the application container only once its proxy is ready
   * (`meshConfig.defaultConfig.holdApplicationUntilProxyStarts`), so apps never start without a
   * network. Costs some startup time.
   * @default true
   */
  readonly holdApplicationUntilProxyStarts?: boolean;

  /**
   * Default CPU and memory of every sidecar (`global.proxy.resources`), sized for production.
   * @default - see `ProxyResources`
   */
  readonly proxyResources?: ProxyResources;

  /**
   * Replicas, autoscaling, resources and push throttle of istiod.
   * @default - autoscaled 2..5, the chart's resources
   */
  readonly istiod?: IstiodOptions;

  /**
   * Lifetime of workload certificates (the proxy's `SECRET_TTL` and istiod's
   * `DEFAULT_WORKLOAD_CERT_TTL`), from 1 hour to 90 days.
   * @default - Istio's (24 hours)
   */
  readonly workloadCertTtl?: Duration;

  /**
   * Mesh-wide telemetry. `false`-like: pass `{ accessLogging: false }` to emit none.
   * @default - access logging on, no tracing configuration
   */
  readonly telemetry?: MeshTelemetryOptions;

  /**
   * Whether the install emits the mesh-wide `PeerAuthentication` (`default` in the root namespace,
   * PERMISSIVE). Turn it off when a StrictMtlsMigration manages the mesh-wide mode, so one object
   * owns it.
   * @default true
   */
  readonly meshPeerAuthentication?: boolean;

  /**
   * Whether to install an ingress gateway (the `gateway` chart, in `istio-ingress`).
   * @default - true for the default and demo profiles with Flux or Argo CD, false otherwise
   */
  readonly ingressGateway?: boolean;

  /**
   * Any other chart value, per chart: `base`, `istiod`, `cni`, `ztunnel`, `gateway` (Sail: `istiod`,
   * `cni`, `ztunnel`). Merged over the typed settings.
   * @default - none
   * @see https://artifacthub.io/packages/helm/istio-official/istiod
   */
  readonly chartValues?: { [chart: string]: any };
}

const VERSION = /^\d+\.\d+\.\d+$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks the options and binds them to an install method. */
export function bindIstio(scope: IConstruct, method: InstallMethodIntent, o: IstioControlPlaneOptions): ControlPlaneBinding {
  checkProps(scope, o, {
    version: optional(string()),
    profile: optional(enumOf(IstioProfile, 'IstioProfile')),
    dataPlaneMode: optional(enumOf(IstioDataPlaneMode, 'IstioDataPlaneMode')),
    namespace: optional(string()),
    revisions: optional(arrayOf(object({ name: required(string()), version: required(string()), tags: optional(arrayOf(string())) }))),
    accessLogFile: optional(string()),
    outboundTrafficPolicy: optional(enumOf(OutboundTrafficPolicy, 'OutboundTrafficPolicy')),
    holdApplicationUntilProxyStarts: optional(boolean),
    proxyResources: optional(proxyResources),
    istiod: optional(object({})),
    workloadCertTtl: optional(duration()),
    telemetry: optional(object({ accessLogging: optional(boolean), tracingProvider: optional(string()) })),
    meshPeerAuthentication: optional(boolean),
    ingressGateway: optional(boolean),
    chartValues: optional(object({})),
  });
  const ambientMode = o.dataPlaneMode === IstioDataPlaneMode.AMBIENT;
  const profile = o.profile ?? (ambientMode ? IstioProfile.AMBIENT : IstioProfile.DEFAULT);
  if (ambientMode && profile !== IstioProfile.AMBIENT) {
    invalid(scope, 'profile', profile, 'IstioProfile.AMBIENT with dataPlaneMode AMBIENT (ambient needs the CNI agent and ztunnel)');
  }
  const ambient = profile === IstioProfile.AMBIENT && o.dataPlaneMode !== IstioDataPlaneMode.SIDECAR;
  const namespace = o.namespace ?? 'istio-system';
  checkDns1123Label(scope, 'namespace', namespace);
  const version = o.version ?? '1.30.3';
  if (o.istioVersion !== undefined) {
    invalid(scope, 'istioVersion', o.istioVersion.version, 'unset: MeshInstall targets the release it installs (version, or the revisions\' versions)');
  }

  let revisions: IstioRevisionIntent[];
  if (o.revisions !== undefined) {
    if (o.version !== undefined) invalid(scope, 'version', o.version, 'unset when revisions are given (each revision has its version)');
    if (o.revisions.length === 0) invalid(scope, 'revisions', o.revisions, 'a non-empty list');
    revisions = o.revisions.map((r, k) => {
      checkDns1123Label(scope, `revisions[${k}].name`, r.name);
      if (!VERSION.test(r.version)) invalid(scope, `revisions[${k}].version`, r.version, 'an Istio release as "<major>.<minor>.<patch>", e.g. "1.24.0"');
      (r.tags ?? []).forEach((t, j) => checkDns1123Label(scope, `revisions[${k}].tags[${j}]`, t));
      return { name: r.name, version: r.version, tags: r.tags ?? [] };
    });
  } else {
    if (!VERSION.test(version)) invalid(scope, 'version', version, 'an Istio release as "<major>.<minor>.<patch>", e.g. "1.24.0"');
    revisions = [{ name: o.revision, version, tags: [] }];
  }
  // Routing and policy objects are cluster-wide: every revision's istiod reads them, so they
  // target the oldest release installed.
  revisions.forEach((r, k) => {
    if (Number(r.version.split('.')[1]) < 20 || !r.version.startsWith('1.')) {
      invalid(scope, o.revisions ? `revisions[${k}].version` : 'version', r.version, 'an Istio release from 1.20 on');
    }
  });
  const istioVersion = revisions.map(r => IstioVersion.of(r.version)).reduce((a, b) => (b.minor < a.minor ? b : a));
  const targets: string[] = [];
  for (const name of revisions.flatMap(r => [r.name, ...r.tags])) {
    if (name === undefined) continue;
    if (targets.includes(name)) invalid(scope, 'revisions', name, 'unique revision and tag names');
    targets.push(name);
  }
  const defaultRevision = o.revision ?? revisions[0].name;
  if (o.revisions !== undefined && o.revision !== undefined && !targets.includes(o.revision)) {
    invalid(scope, 'revision', o.revision, `one of the revisions or tags (${targets.join(', ')})`);
  }

  const telemetry = o.telemetry ?? {};
  const accessLogging = telemetry.accessLogging ?? true;
  if (o.accessLogFile !== undefined && accessLogging) {
    invalid(scope, 'accessLogFile', o.accessLogFile, 'unset while telemetry.accessLogging is on (both turn on the Envoy access log: set one)');
  }
  if (telemetry.tracingSamplingPercent !== undefined) checkPercent(scope, 'telemetry.tracingSamplingPercent', telemetry.tracingSamplingPercent);
  if (o.trustDomain !== undefined && !DNS_NAME.test(o.trustDomain)) invalid(scope, 'trustDomain', o.trustDomain, 'a DNS name, e.g. "cluster.local"');

  const d = o.istiod ?? {};
  positiveInt(scope, 'istiod.replicas', d.replicas);
  positiveInt(scope, 'istiod.autoscaleMin', d.autoscaleMin);
  positiveInt(scope, 'istiod.autoscaleMax', d.autoscaleMax);
  positiveInt(scope, 'istiod.pushThrottle', d.pushThrottle);
  if (d.replicas !== undefined && (d.autoscaleMin !== undefined || d.autoscaleMax !== undefined)) {
    invalid(scope, 'istiod.replicas', d.replicas, 'unset when autoscaleMin or autoscaleMax is set (replicas turns the autoscaler off)');
  }
  const autoscaleMin = d.replicas !== undefined ? undefined : d.autoscaleMin ?? 2;
  const autoscaleMax = d.replicas !== undefined ? undefined : d.autoscaleMax ?? 5;
  if (autoscaleMin !== undefined && autoscaleMax !== undefined && autoscaleMin > autoscaleMax) {
    invalid(scope, 'istiod.autoscaleMin', autoscaleMin, `at most autoscaleMax (${autoscaleMax})`);
  }
  if (o.workloadCertTtl != null) {
    const ms = o.workloadCertTtl.toMilliseconds();
    if (ms < 3_600_000 || ms > 90 * 86_400_000) invalid(scope, 'workloadCertTtl', o.workloadCertTtl.toHumanString(), 'from 1 hour to 90 days');
  }
  const ingressDefault = method.kind !== 'sail' && (profile === IstioProfile.DEFAULT || profile === IstioProfile.DEMO);

  const charts = method.kind === 'sail' ? ['istiod', 'cni', 'ztunnel'] : ['base', 'istiod', 'cni', 'ztunnel', 'gateway'];
  const intent: IstioInstallIntent = {
    source: scope,
    namespace,
    method,
    proxy: proxyQuantities(scope, 'proxyResources', o.proxyResources),
    chartValues: chartValues(scope, o.chartValues, charts),
    profile,
    ambient,
    revisions,
    defaultRevision,
    apis: istioApis({
      version: istioVersion, apiVersion: o.apiVersion, gatewayApiVersion: o.gatewayApiVersion, gatewayApiBundle: o.gatewayApiBundle,
    }),
    accessLogFile: o.accessLogFile,
    outboundTrafficPolicy: o.outboundTrafficPolicy,
    holdApplicationUntilProxyStarts: o.holdApplicationUntilProxyStarts ?? true,
    trustDomain: o.trustDomain,
    istiod: {
      replicas: d.replicas,
      autoscaleMin,
      autoscaleMax,
      resources: containerResources(d.resources),
      pushThrottle: d.pushThrottle,
    },
    workloadCertTtl: o.workloadCertTtl,
    telemetry: accessLogging || telemetry.tracingSamplingPercent !== undefined
      ? { accessLogging, tracingSamplingPercent: telemetry.tracingSamplingPercent, tracingProvider: telemetry.tracingProvider }
      : undefined,
    peerAuthentication: o.meshPeerAuthentication ?? true,
    ingressGateway: o.ingressGateway ?? ingressDefault,
  };
  // Ambient routes through waypoints, which Istio drives through Gateway API by preference.
  const renderersFor = (revision: string | undefined) => withProxyDefaults(istioRenderers({
    istioVersion,
    gatewayApiBundle: o.gatewayApiBundle,
    routingApi: o.routingApi ?? (ambient ? IstioRoutingApi.GATEWAY_API : IstioRoutingApi.ISTIO),
    apiVersion: o.apiVersion,
    gatewayApiVersion: o.gatewayApiVersion,
    revision: ambient ? undefined : revision,
    dataPlaneMode: ambient ? IstioDataPlaneMode.AMBIENT : IstioDataPlaneMode.SIDECAR,
    experimentalChannel: o.experimentalChannel,
    rootNamespace: o.rootNamespace ?? namespace,
    trustDomain: o.trustDomain,
  }, intent.ingressGateway ? ISTIO_INGRESS_NAMESPACE : undefined), intent.proxy);
  return {
    install: new IstioInstall(intent, targets),
    renderersFor: revision => renderersFor(revision ?? defaultRevision),
  };
}

function containerResources(r: kplus.ContainerResources | undefined) {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r?.cpu?.request) requests.cpu = r.cpu.request.amount;
  if (r?.cpu?.limit) limits.cpu = r.cpu.limit.amount;
  if (r?.memory?.request) requests.memory = memoryQuantity(r.memory.request);
  if (r?.memory?.limit) limits.memory = memoryQuantity(r.memory.limit);
  return { requests, limits };
}
