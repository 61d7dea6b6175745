import { ApiObject, ApiObjectMetadata, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MeshIdentity, WorkloadSelector } from './identity';
import { IMesh } from './mesh';
import { ServiceProtocol } from './model/protocol';
import { checkDns1123Label, checkPort, checkServiceName, invalid, throwUnsupported } from './private/errors';
import { own, rename } from './private/ownership';
import { proxyQuantities } from './private/proxy-quantities';
import {
  boolean, checkProps, dns1035Label, dns1123Label, enumOf, env, image, meshRef, number, optional, portNumber, proxyResources, required, shaped,
} from './private/validation';
import { ProxyResources } from './proxy';

/**
 * Props for `MeshWorkload`.
 */
export interface MeshWorkloadProps {
  /**
   * The mesh the workload joins; decides the injection labels and proxy annotations.
   */
  readonly mesh: IMesh;

  /**
   * The service this workload is a version of: the `app` label shared by all versions, so one
   * Service selects them all.
   */
  readonly serviceName: string;

  /**
   * The version: the `version` label, which routing uses to tell versions apart.
   */
  readonly version: string;

  /**
   * The container image.
   */
  readonly image: string;

  /**
   * The container port that serves the service, named after `protocol`.
   */
  readonly port: number;

  /**
   * What the container port serves: its name (`http`, `http2`, `grpc`, `tcp`).
   * @default ServiceProtocol.HTTP
   */
  readonly protocol?: ServiceProtocol;

  /**
   * The namespace of the workload's objects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * The name of the Deployment.
   * @default `<serviceName>-<version>`
   */
  readonly name?: string;

  /**
   * Number of pods.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Environment variables of the container.
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * CPU and memory of the application container.
   * @default - cdk8s-plus defaults
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * CPU and memory of the mesh proxy.
   * @default - production-sized, see `ProxyResources`
   */
  readonly proxy?: ProxyResources;

  /**
   * Directories the container writes to. Each gets its own `emptyDir` volume mounted there, so
   * the root filesystem stays read-only (cdk8s-plus's secure default) and the image still runs:
   * e.g. `['/tmp', '/opt/ol/wlp/output']` for the bookinfo `reviews` image, as Istio's
   * `bookinfo.yaml` mounts them.
   * @default - none: the container can write nowhere
   */
  readonly writableDirectories?: string[];

  /**
   * The readiness probe of the container.
   * @default - cdk8s-plus's default (none)
   */
  readonly readiness?: kplus.Probe;

  /**
   * The liveness probe of the container.
   * @default - none
   */
  readonly liveness?: kplus.Probe;

  /**
   * The startup probe of the container.
   * @default - none
   */
  readonly startup?: kplus.Probe;

  /**
   * The container's security context, over cdk8s-plus's secure defaults (read-only root
   * filesystem, non-root, no privilege escalation): set only what the image needs, e.g.
   * `{ user: 1000 }` for an image whose user is a name the kubelet cannot check.
   * @default - cdk8s-plus's defaults
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;

  /**
   * Whether the workload joins the mesh. `false` opts it out explicitly, even in an injected
   * namespace: for high-fan-out services where a proxy per call costs more than it gives.
   * @default true
   */
  readonly meshed?: boolean;

  /**
   * The identity of the workload in the mesh.
   * @default - a new ServiceAccount named like the Deployment
   */
  readonly serviceAccount?: kplus.IServiceAccount;
}

/** The checks of MeshWorkloadProps, built once. */
const PROPS = {
  mesh: required(meshRef),
  serviceName: required(dns1035Label),
  version: required(dns1123Label),
  image: required(image),
  port: required(portNumber),
  protocol: optional(enumOf(ServiceProtocol, 'ServiceProtocol')),
  namespace: optional(dns1123Label),
  name: optional(dns1123Label),
  replicas: optional(number(0, 2147483647, { rule: 'a non-negative integer' })),
  env: optional(env),
  proxy: optional(proxyResources),
  meshed: optional(boolean),
  serviceAccount: optional(shaped(['name'], 'a cdk8s-plus ServiceAccount (IServiceAccount)')),
};

/**
 * One version of a service in the mesh's data plane: a Deployment with `app` and `version`
 * labels, a port named after its protocol, its own ServiceAccount (the mesh identity), proxy injection and
 * proxy sizing for the chosen mesh.
 */
export class MeshWorkload extends Construct {
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The workload's mesh identity. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The labels that select exactly this workload's pods. */
  public readonly selectorLabels: { [name: string]: string };
  /** The version name. */
  public readonly version: string;
  /** The workload's identity, for authorization rules (`Peer.identity(workload.identity)`). */
  public readonly identity: MeshIdentity;
  /** This version's pods and port, for policies that target them. */
  public readonly workloadSelector: WorkloadSelector;

  constructor(scope: Construct, id: string, props: MeshWorkloadProps) {
    super(scope, id);
    checkProps(this, props, PROPS);
    checkServiceName(this, 'serviceName', props.serviceName);
    checkDns1123Label(this, 'version', props.version);
    checkPort(this, 'port', props.port);
    if (props.replicas !== undefined && (!Number.isInteger(props.replicas) || props.replicas < 0)) {
      invalid(this, 'replicas', props.replicas, 'a non-negative integer');
    }
    if (props.image.trim() === '') invalid(this, 'image', props.image, 'a non-empty image reference');
    const name = props.name ?? `${props.serviceName}-${props.version}`;
    checkDns1123Label(this, 'name', name);

    const writable = props.writableDirectories ?? [];
    writable.forEach((dir, i) => {
      if (!/^\/[^\0]*$/.test(dir) || dir === '/') invalid(this, `writableDirectories[${i}]`, dir, 'an absolute path other than /');
      if (writable.indexOf(dir) !== i) invalid(this, `writableDirectories[${i}]`, dir, 'listed once');
    });
    const dataPlane = props.mesh.provider._renderers.dataPlane;
    const mesh = dataPlane.podMetadata({
      meshed: props.meshed ?? true,
      proxy: proxyQuantities(this, 'proxy', props.proxy),
      proxyExplicit: props.proxy !== undefined,
    });
    throwUnsupported(this, dataPlane.displayName, mesh.unsupported);

    this.version = props.version;
    this.selectorLabels = { app: props.serviceName, version: props.version };
    const metadata: ApiObjectMetadata = { name, namespace: props.namespace, labels: this.selectorLabels };
    const claim = { owner: this, resolve: rename('name (name)') };
    if (props.serviceAccount) {
      this.serviceAccount = props.serviceAccount;
    } else {
      const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name, namespace: props.namespace, labels: { app: props.serviceName } },
        automountToken: false,
      });
      own(ApiObject.of(serviceAccount), claim);
      this.serviceAccount = serviceAccount;
    }

    const namespace = props.namespace ?? Chart.of(this).namespace;
    this.identity = MeshIdentity._of(this.serviceAccount.name, namespace);
    this.workloadSelector = WorkloadSelector._deployed(this.selectorLabels, namespace, props.port, props.serviceName);

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata,
      replicas: props.replicas ?? 2,
      select: false,
      serviceAccount: this.serviceAccount,
      containers: [{
        name: props.serviceName,
        image: props.image,
        ports: [{ number: props.port, name: dataPlane.servicePort(props.protocol ?? ServiceProtocol.HTTP).name }],
        envVariables: Object.fromEntries(Object.entries(props.env ?? {}).sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
        resources: props.resources,
        readiness: props.readiness,
        liveness: props.liveness,
        startup: props.startup,
        securityContext: props.securityContext,
        // One emptyDir per directory, named after its path (and position, so names stay unique).
        volumeMounts: writable.map((path, i) => ({
          path,
          volume: kplus.Volume.fromEmptyDir(this, `Writable${i}`,
            `w${i}-${path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 63).replace(/-+$/, '')),
        })),
      }],
    });
    own(ApiObject.of(this.deployment), claim);
    // cdk8s-plus labels the pod template with the construct's address, which nothing here selects
    // on (the selector is the version's labels): a pod label that changes whenever the construct
    // moves (e.g. a promotion swapping stable and canary) would restart every pod for nothing.
    ApiObject.of(this.deployment).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    for (const [k, v] of Object.entries({ ...this.selectorLabels, ...mesh.labels })) {
      this.deployment.podMetadata.addLabel(k, v);
    }
    for (const [k, v] of Object.entries(mesh.annotations)) {
      this.deployment.podMetadata.addAnnotation(k, v);
    }
  }
}
