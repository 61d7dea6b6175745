import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { InstallMethodIntent } from '../model/install';
import { boolean, checkProps, dns1123Label, duration, string } from '../private/validation';

/**
 * Options for `InstallMethod.flux()`.
 */
export interface FluxInstallOptions {
  /**
   * The namespace of the HelmRepository and HelmRelease objects (Flux's own namespace). Secrets
   * read through `valuesFrom` (a trust anchor) must be here too.
   * @default "flux-system"
   */
  readonly namespace?: string;

  /**
   * How often Flux reconciles the releases and refreshes the chart repositories.
   * @default Duration.minutes(10)
   * @see https://fluxcd.io/flux/components/helm/helmreleases/#interval
   */
  readonly interval?: Duration;
}

/**
 * Options for `InstallMethod.argoCd()`.
 */
export interface ArgoCdInstallOptions {
  /**
   * The namespace of the Application objects (Argo CD's own namespace).
   * @default "argocd"
   */
  readonly namespace?: string;

  /**
   * The Argo CD project of the Applications.
   * @default "default"
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
   */
  readonly project?: string;

  /**
   * The API server of the destination cluster.
   * @default "https://kubernetes.default.svc"
   */
  readonly server?: string;

  /**
   * Whether Argo CD syncs automatically (with prune and self-heal).
   * @default true
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
   */
  readonly automated?: boolean;
}

/**
 * How the control plane gets to the cluster: every method synthesizes objects that a GitOps
 * controller applies, so installs and upgrades are reviewed as pull requests.
 */
export class InstallMethod {
  /**
   * Flux: a `HelmRepository` (source.toolkit.fluxcd.io/v1) per chart repository and a `HelmRelease`
   * (helm.toolkit.fluxcd.io/v2) per chart, ordered with `dependsOn`.
   * @see https://fluxcd.io/flux/components/helm/helmreleases/
   */
  public static flux(options: FluxInstallOptions = {}): InstallMethod {
    options = options ?? {};
    return new InstallMethod({ kind: 'flux', namespace: options.namespace ?? 'flux-system', interval: options.interval ?? Duration.minutes(10) });
  }

  /**
   * Argo CD: an `Application` per chart (for an app-of-apps), ordered with sync waves so CRDs and
   * base come first. Argo CD waits for an Application's health between waves only when the
   * Application health check is enabled in `argocd-cm`.
   * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/cluster-bootstrapping/
   */
  public static argoCd(options: ArgoCdInstallOptions = {}): InstallMethod {
    options = options ?? {};
    return new InstallMethod({
      kind: 'argocd',
      namespace: options.namespace ?? 'argocd',
      project: options.project ?? 'default',
      server: options.server ?? 'https://kubernetes.default.svc',
      automated: options.automated ?? true,
    });
  }

  /**
   * The Sail operator (Istio only): `Istio`, `IstioRevisionTag`, `IstioCNI` and `ZTunnel`
   * (sailoperator.io/v1). The operator itself must be installed first.
   * @see https://github.com/istio-ecosystem/sail-operator
   */
  public static sail(): InstallMethod {
    return new InstallMethod({ kind: 'sail' });
  }

  /** The method's name: `flux`, `argocd` or `sail`. */
  public readonly name: string;

  private constructor(private readonly intent: InstallMethodIntent) {
    this.name = intent.kind;
  }

  /** @internal */
  public _toIntent(scope: IConstruct, prop: string): InstallMethodIntent {
    const i = this.intent;
    if (i.kind === 'flux') checkProps(scope, i, { namespace: dns1123Label, interval: duration({ minMs: 1000 }) }, `${prop}.`);
    if (i.kind === 'argocd') {
      checkProps(scope, i, {
        namespace: dns1123Label,
        project: dns1123Label,
        automated: boolean,
        server: string({ pattern: /^https?:\/\/[^\s/]+\S*$/, rule: 'an http:// or https:// URL of the cluster\'s API server' }),
      }, `${prop}.`);
    }
    return this.intent;
  }
}
