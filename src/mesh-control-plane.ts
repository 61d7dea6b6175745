import { IConstruct } from 'constructs';
import { InstallMethodIntent } from './model/install';
import { ControlPlaneBinding } from './model/renderer';
import { bindIstio, IstioControlPlaneOptions } from './providers/istio/control-plane';
import { bindLinkerd, LinkerdControlPlaneOptions } from './providers/linkerd/control-plane';

// MeshInstall's namespace options name Linkerd's inbound policies; patterns reach them through here.
export { LinkerdDefaultInboundPolicy } from './providers/linkerd/control-plane';

/** What a control plane hands `MeshInstall`: a binding per install method. Internal. */
export interface ControlPlaneIntent {
  bind(method: InstallMethodIntent): ControlPlaneBinding;
}

/**
 * The mesh that `MeshInstall` installs, and its settings. Each factory is thin: a mesh's
 * control-plane options and install renderer live in its folder (src/providers/<name>/).
 */
export class MeshControlPlane {
  /**
   * Istio, with sidecars or in ambient mode, through Helm (Flux, Argo CD) or the Sail operator.
   */
  public static istio(options: IstioControlPlaneOptions = {}): MeshControlPlane {
    return new MeshControlPlane('istio', (scope, method) => bindIstio(scope, method, options));
  }

  /**
   * Linkerd, through Helm (Flux, Argo CD).
   */
  public static linkerd(options: LinkerdControlPlaneOptions): MeshControlPlane {
    return new MeshControlPlane('linkerd', (scope, method) => bindLinkerd(scope, method, options));
  }

  /** The mesh: `istio` or `linkerd`. */
  public readonly name: string;

  private constructor(name: string, private readonly binder: (scope: IConstruct, method: InstallMethodIntent) => ControlPlaneBinding) {
    this.name = name;
  }

  /** @internal the options, checked in the install's scope, ready to bind to a method */
  public _toIntent(scope: IConstruct, _prop: string): ControlPlaneIntent {
    return { bind: method => this.binder(scope, method) };
  }
}
