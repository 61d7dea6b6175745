import { Construct } from 'constructs';
import { InstallMethod } from './install-method';
import { IMesh } from '../mesh';
import { LinkerdDefaultInboundPolicy, MeshControlPlane } from '../mesh-control-plane';
import { NamespaceIntent } from '../model/install';
import { ControlPlaneBinding } from '../model/renderer';
import { checkDns1123Label, invalid, throwUnsupported } from '../private/errors';
import { arrayOf, boolean, checkProps, dns1123Label, enumOf, instanceOf, nonEmptyString, object, optional, required } from '../private/validation';
import { MeshProvider } from '../provider';

/** Namespaces a mesh must never inject: Kubernetes' own. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];
const EGRESS_HOST = /^(\*|\.|~|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(\*|(\*\.)?[a-z0-9*]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/**
 * An application namespace that joins the mesh.
 */
const NAMESPACE = object({
  name: required(dns1123Label),
  revision: optional(dns1123Label),
  egressHosts: optional(arrayOf(nonEmptyString, { unique: true })),
  defaultInboundPolicy: optional(enumOf(LinkerdDefaultInboundPolicy, 'LinkerdDefaultInboundPolicy')),
});

export interface MeshNamespaceOptions {
  /** The namespace's name. */
  readonly name: string;

  /**
   * Istio: the control-plane revision or revision tag the namespace is pinned to (`istio.io/rev`).
   * Moving a namespace to another revision is a change of this one line (then restart its pods).
   * @default - the install's default revision (`istio-injection: enabled` when it has no name)
   * @see https://istio.io/latest/docs/setup/upgrade/canary/
   */
  readonly revision?: string;

  /**
   * Istio (sidecars): the only hosts (`<namespace>/<dns name>`, e.g. `./*`, `istio-system/*`) whose
   * configuration the namespace's sidecars get, as a `Sidecar` named `default`. In large meshes this
   * is what keeps proxy memory flat.
   * @default - all hosts of the mesh
   * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
   */
  readonly egressHosts?: string[];

  /**
   * Linkerd: the namespace's default inbound policy (`config.linkerd.io/default-inbound-policy`).
   * @default - the cluster-wide default
   */
  readonly defaultInboundPolicy?: LinkerdDefaultInboundPolicy;
}

/**
 * Props for `MeshInstall`.
 */
export interface MeshInstallProps {
  /** The mesh and its settings. */
  readonly controlPlane: MeshControlPlane;

  /** How the control plane gets to the cluster. */
  readonly method: InstallMethod;

  /**
   * The application namespaces that join the mesh (more with `addNamespace`).
   * @default - none
   */
  readonly namespaces?: MeshNamespaceOptions[];

  /**
   * The emergency kill switch: `true` turns proxy injection off for every application namespace in
   * one change (Istio `istio-injection: disabled`, which beats every pod label, or
   * `istio.io/dataplane-mode: none` in ambient mode; Linkerd `linkerd.io/inject: disabled` and the
   * namespace taken out of the proxy injector). Restart the pods (`kubectl rollout restart`) to shed
   * sidecars; ambient pods leave at once. Keep mTLS PERMISSIVE while it is on, or unmeshed pods are
   * refused.
   * @default false
   */
  readonly injectionKillSwitch?: boolean;
}

/**
 * Runs a service mesh: the control plane as GitOps objects (Flux HelmReleases, Argo CD Applications
 * or Sail operator resources), the application namespaces with their injection labels, the data
 * plane's defaults (proxy sizing) and the mesh-wide defaults (PERMISSIVE PeerAuthentication,
 * Telemetry, per-namespace Sidecar scoping).
 *
 * It is also the mesh handle: pass it as `mesh` to the other constructs, which then render for its
 * provider and revision.
 */
export class MeshInstall extends Construct implements IMesh {
  /** The provider the mesh's constructs render for (with the install's default revision). */
  public readonly provider: MeshProvider;

  /** The control plane's namespace. */
  public readonly meshNamespace: string;

  /** Whether the kill switch is on. */
  public readonly injectionKillSwitch: boolean;

  private readonly binding: ControlPlaneBinding;
  private readonly namespaces = new Map<string, NamespaceIntent>();
  private readonly reserved: string[];

  constructor(scope: Construct, id: string, props: MeshInstallProps) {
    super(scope, id);
    checkProps(this, props, {
      controlPlane: required(instanceOf(MeshControlPlane, 'MeshControlPlane (MeshControlPlane.istio() or .linkerd())')),
      method: required(instanceOf(InstallMethod, 'InstallMethod (InstallMethod.flux(), .argoCd() or .sail())')),
      namespaces: optional(arrayOf(NAMESPACE)),
      injectionKillSwitch: optional(boolean),
    });
    const method = props.method._toIntent(this, 'method');
    this.binding = props.controlPlane._toIntent(this, 'controlPlane').bind(method);
    this.provider = MeshProvider._of(this.binding.renderersFor());
    this.meshNamespace = this.binding.install.namespace;
    this.injectionKillSwitch = props.injectionKillSwitch ?? false;
    this.reserved = [...SYSTEM_NAMESPACES, ...this.binding.install.reservedNamespaces];
    this.binding.install.renderInstall(this);
    (props.namespaces ?? []).forEach(ns => this.addNamespace(ns));
  }

  /**
   * Onboards an application namespace: declares it with the mesh's injection label (or annotation).
   */
  public addNamespace(options: MeshNamespaceOptions): void {
    checkProps(this, { namespaces: [options] }, { namespaces: arrayOf(NAMESPACE) });
    const prop = `namespaces[${options.name}]`;
    checkDns1123Label(this, `${prop}.name`, options.name);
    if (this.reserved.includes(options.name)) {
      invalid(this, `${prop}.name`, options.name,
        `an application namespace: ${options.name} is a system or mesh namespace, and injecting it breaks the cluster or the mesh (never inject ${this.reserved.join(', ')})`);
    }
    if (this.namespaces.has(options.name)) invalid(this, `${prop}.name`, options.name, 'onboarded once');
    const install = this.binding.install;
    const ns: NamespaceIntent = {
      source: this,
      name: options.name,
      revision: options.revision,
      injected: !this.injectionKillSwitch,
      egressHosts: options.egressHosts,
      defaultInboundPolicy: options.defaultInboundPolicy,
    };
    throwUnsupported(this, install.displayName, install.namespaceUnsupported(ns));
    if (options.revision != null && !install.revisionTargets.includes(options.revision)) {
      invalid(this, `${prop}.revision`, options.revision,
        `a revision or tag of this install (${install.revisionTargets.join(', ') || 'none: give the control plane revisions'})`);
    }
    (options.egressHosts ?? []).forEach((h, k) => {
      if (!EGRESS_HOST.test(h)) invalid(this, `${prop}.egressHosts[${k}]`, h, 'a host as "<namespace>/<dns name>", e.g. "./*" or "istio-system/*"');
    });
    if (options.egressHosts != null && options.egressHosts.length === 0) {
      invalid(this, `${prop}.egressHosts`, options.egressHosts, 'non-empty (a Sidecar without hosts cuts the namespace off), e.g. ["./*", "istio-system/*"]');
    }
    this.namespaces.set(ns.name, ns);
    install.renderNamespace(this, ns);
  }

  /** The application namespaces onboarded, in the order they were added. */
  public get namespaceNames(): string[] {
    return [...this.namespaces.keys()];
  }

  /** Whether pods in `namespace` get a proxy: onboarded and the kill switch off. */
  public isMeshed(namespace: string): boolean {
    return this.namespaces.has(namespace) && !this.injectionKillSwitch;
  }

  /**
   * The mesh for workloads in an onboarded namespace: its provider is pinned to the namespace's
   * revision, so workloads and their namespace agree during a canary upgrade.
   */
  public meshFor(namespace: string): IMesh {
    const ns = this.namespaces.get(namespace);
    if (!ns) invalid(this, 'namespace', namespace, `an onboarded namespace (${this.namespaceNames.join(', ') || 'none'})`);
    return { provider: MeshProvider._of(this.binding.renderersFor(ns.revision)) };
  }
}
