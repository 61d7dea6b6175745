/**
 * The public options of `MeshControlPlane.linkerd()`, and the binding that turns them into
 * Linkerd's install renderer and the provider its workloads render with.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LinkerdInstallIntent, TrustAnchorIntent } from './install-intent';
import { LinkerdInstall } from './linkerd-install';
import { LinkerdProviderOptions, linkerdRenderers, LinkerdVersion } from './options';
import { InstallMethodIntent } from '../../model/install';
import { ControlPlaneBinding } from '../../model/renderer';
import { checkDns1123Label, invalid } from '../../private/errors';
import { proxyQuantities, withProxyDefaults } from '../../private/proxy-quantities';
import { boolean, checkProps, enumOf, instanceOf, object, optional, proxyResources, string } from '../../private/validation';
import { chartValues } from '../../private/values';
import { ProxyResources } from '../../proxy';

/**
 * A Linkerd default inbound policy: who may connect to a meshed pod when no policy says otherwise.
 * @see https://linkerd.io/2/reference/authorization-policy/#default-policies
 */
export enum LinkerdDefaultInboundPolicy {
  /** anyone, meshed or not (Linkerd's default; the PERMISSIVE of Linkerd) */
  ALL_UNAUTHENTICATED = 'all-unauthenticated',
  /** meshed clients only, from any cluster */
  ALL_AUTHENTICATED = 'all-authenticated',
  /** anyone from this cluster's pod network */
  CLUSTER_UNAUTHENTICATED = 'cluster-unauthenticated',
  /** meshed clients of this cluster only */
  CLUSTER_AUTHENTICATED = 'cluster-authenticated',
  /** nobody unless a policy allows it */
  DENY = 'deny',
  /** like all-unauthenticated, but logs what `deny` would refuse */
  AUDIT = 'audit',
}

/**
 * Options for a trust anchor read from a Secret or ConfigMap.
 */
export interface TrustAnchorReferenceOptions {
  /** The name of the Secret or ConfigMap (in the Flux namespace: Flux reads it). */
  readonly name: string;

  /**
   * The key that holds the PEM certificate.
   * @default "ca.crt"
   */
  readonly key?: string;
}

/**
 * The root certificate of Linkerd's identity (its public part only): every proxy trusts it.
 * @see https://linkerd.io/2/tasks/generate-certificates/
 */
export class TrustAnchor {
  /**
   * The PEM certificate itself (`identityTrustAnchorsPEM`). It is public: committing it is safe.
   */
  public static fromPem(pem: string): TrustAnchor {
    return new TrustAnchor({ pem });
  }

  /**
   * A certificate in a Secret, passed to the chart with Flux's `valuesFrom` (Flux only).
   * @see https://fluxcd.io/flux/components/helm/helmreleases/#values-references
   */
  public static fromSecret(options: TrustAnchorReferenceOptions): TrustAnchor {
    return new TrustAnchor({ ref: { kind: 'Secret', name: options.name, key: options.key ?? 'ca.crt' } });
  }

  /**
   * A certificate in a ConfigMap (e.g. one trust-manager writes), passed with Flux's `valuesFrom`
   * (Flux only).
   */
  public static fromConfigMap(options: TrustAnchorReferenceOptions): TrustAnchor {
    return new TrustAnchor({ ref: { kind: 'ConfigMap', name: options.name, key: options.key ?? 'ca.crt' } });
  }

  private constructor(private readonly intent: TrustAnchorIntent) {}

  /** @internal */
  public _toIntent(_scope: IConstruct, _prop: string): TrustAnchorIntent {
    return this.intent;
  }
}

/**
 * Options for `LinkerdIdentityIssuer.certManager()`.
 */
export interface CertManagerIssuerOptions {
  /**
   * Lifetime of the identity issuer certificate.
   * @default Duration.hours(48)
   * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec
   */
  readonly duration?: Duration;

  /**
   * How long before expiry cert-manager renews it.
   * @default Duration.hours(25)
   */
  readonly renewBefore?: Duration;

  /**
   * The `kubernetes.io/tls` Secret in the Linkerd namespace with the trust anchor's certificate and
   * key, which the CA `Issuer` signs with. It is created out of band (never from Git).
   * @default "linkerd-trust-anchor"
   */
  readonly trustAnchorSecretName?: string;
}

/**
 * Where the identity issuer certificate (`linkerd-identity-issuer`) comes from. Either way the
 * control plane reads it with `identity.issuer.scheme: kubernetes.io/tls`, so no key is in Git.
 * @see https://linkerd.io/2/tasks/automatically-rotating-control-plane-tls-credentials/
 */
export class LinkerdIdentityIssuer {
  /**
   * cert-manager: a CA `Issuer` over the trust anchor and a `Certificate` for
   * `identity.linkerd.<cluster domain>` (ECDSA P-256, 48 h, renewed 25 h before expiry).
   */
  public static certManager(options: CertManagerIssuerOptions = {}): LinkerdIdentityIssuer {
    return new LinkerdIdentityIssuer(options);
  }

  /**
   * The `linkerd-identity-issuer` Secret is managed elsewhere (e.g. Vault, an external issuer).
   */
  public static external(): LinkerdIdentityIssuer {
    return new LinkerdIdentityIssuer(undefined);
  }

  private constructor(private readonly certManager: CertManagerIssuerOptions | undefined) {}

  /** @internal the cert-manager settings; undefined: the issuer Secret is managed elsewhere */
  public _toIntent(_scope: IConstruct, _prop: string): CertManagerIssuerOptions | undefined {
    return this.certManager;
  }
}

/**
 * Options for `MeshControlPlane.linkerd()`. The provider options (release, routing API) decide what
 * the install's `provider` renders for the constructs that use it.
 */
export interface LinkerdControlPlaneOptions extends LinkerdProviderOptions {
  /**
   * The version of the linkerd-control-plane chart (and linkerd-viz): an edge release such as
   * `2025.1.2`, or a stable chart version such as `1.16.11` (Linkerd 2.14.10). It decides the
   * release the install's provider targets, unless `version` names it.
   */
  readonly chartVersion: string;

  /**
   * The version of the linkerd-crds chart.
   * @default - `chartVersion` for edge releases (required for stable ones, which version it apart)
   */
  readonly crdsChartVersion?: string;

  /**
   * The Helm repository.
   * @default - "https://helm.linkerd.io/edge" for edge versions, "https://helm.linkerd.io/stable" otherwise
   */
  readonly helmRepositoryUrl?: string;

  /**
   * The control plane's namespace.
   * @default "linkerd"
   */
  readonly namespace?: string;

  /**
   * The trust anchor certificate. Required: Linkerd's identity cannot start without it.
   */
  readonly trustAnchor?: TrustAnchor;

  /**
   * Where the identity issuer certificate comes from.
   * @default LinkerdIdentityIssuer.certManager()
   */
  readonly identityIssuer?: LinkerdIdentityIssuer;

  /**
   * High availability: 3 controller replicas, pod anti-affinity, PodDisruptionBudgets and webhook
   * failure policy `Fail` (the chart's values-ha.yaml). Label `kube-system` with
   * `config.linkerd.io/admission-webhooks: disabled` first.
   * @default false
   * @see https://linkerd.io/2/features/ha/
   */
  readonly highAvailability?: boolean;

  /**
   * Default CPU and memory of every proxy (`proxy.resources`).
   * @default - see `ProxyResources`
   */
  readonly proxyResources?: ProxyResources;

  /**
   * The cluster-wide default inbound policy (`proxy.defaultInboundPolicy`).
   * @default - Linkerd's (all-unauthenticated)
   */
  readonly defaultInboundPolicy?: LinkerdDefaultInboundPolicy;

  /**
   * Whether to install the linkerd-viz extension (in `linkerd-viz`).
   * @default false
   */
  readonly viz?: boolean;

  /**
   * Any other chart value, per chart: `linkerd-crds`, `linkerd-control-plane`, `linkerd-viz`.
   * @default - none
   */
  readonly chartValues?: { [chart: string]: any };
}

/** Checks the options and binds them to an install method. */
export function bindLinkerd(scope: IConstruct, method: InstallMethodIntent, o: LinkerdControlPlaneOptions): ControlPlaneBinding {
  checkProps(scope, o, {
    chartVersion: optional(string()),
    crdsChartVersion: optional(string({ pattern: /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, rule: 'a chart version such as "2025.1.2"' })),
    helmRepositoryUrl: optional(string({ pattern: /^(https?|oci):\/\/\S+$/, rule: 'an http(s):// or oci:// URL' })),
    namespace: optional(string()),
    trustAnchor: optional(instanceOf(TrustAnchor, 'TrustAnchor (TrustAnchor.fromPem(), .fromSecret(), .fromConfigMap())')),
    identityIssuer: optional(instanceOf(LinkerdIdentityIssuer, 'LinkerdIdentityIssuer (LinkerdIdentityIssuer.certManager(), .external())')),
    highAvailability: optional(boolean),
    proxyResources: optional(proxyResources),
    defaultInboundPolicy: optional(enumOf(LinkerdDefaultInboundPolicy, 'LinkerdDefaultInboundPolicy')),
    viz: optional(boolean),
    chartValues: optional(object({})),
  });
  const namespace = o.namespace ?? 'linkerd';
  checkDns1123Label(scope, 'namespace', namespace);
  if (!o.trustAnchor) {
    invalid(scope, 'trustAnchor', undefined, 'set: Linkerd\'s identity needs the trust anchor certificate (TrustAnchor.fromPem(), .fromSecret() or .fromConfigMap())');
  }
  const anchor = o.trustAnchor._toIntent(scope, 'trustAnchor');
  if (anchor.pem !== undefined && !/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/.test(anchor.pem.trim())) {
    invalid(scope, 'trustAnchor', `${anchor.pem.slice(0, 30)}...`, 'a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)');
  }
  if (anchor.ref) checkDns1123Label(scope, 'trustAnchor.name', anchor.ref.name);
  if (!o.chartVersion) invalid(scope, 'chartVersion', o.chartVersion, 'set, e.g. "2025.1.2" (edge) or "1.16.11" (stable 2.14.10)');
  const edge = /^\d{4}\.\d+\.\d+$/.test(o.chartVersion);
  if (!edge && !/^\d+\.\d+\.\d+$/.test(o.chartVersion)) invalid(scope, 'chartVersion', o.chartVersion, 'a chart version, e.g. "2025.1.2" (edge) or "1.16.11" (stable)');
  if (!edge && o.crdsChartVersion === undefined) {
    invalid(scope, 'crdsChartVersion', undefined, `set for the stable chart ${o.chartVersion} (stable releases version linkerd-crds apart, e.g. "1.8.0" for 2.14.10)`);
  }
  // The release the chart installs: its features are what the install's provider may use.
  const installed = installedRelease(o.chartVersion, edge);
  if (installed === undefined && o.version === undefined) {
    invalid(scope, 'version', undefined, `set for the stable chart ${o.chartVersion} (the Linkerd release it installs, e.g. LinkerdVersion.V2_14 for 1.16.x)`);
  }
  if (installed !== undefined && o.version !== undefined && o.version.minor > installed) {
    invalid(scope, 'version', o.version.version, `at most 2.${installed}, the release chart ${o.chartVersion} corresponds to (or unset)`);
  }
  const renderers = linkerdRenderers({ ...o, version: o.version ?? LinkerdVersion.of(`2.${installed}`) });
  let certManager: LinkerdInstallIntent['certManager'];
  const cm = (o.identityIssuer ?? LinkerdIdentityIssuer.certManager())._toIntent(scope, 'identityIssuer');
  if (cm) {
    const duration = cm.duration ?? Duration.hours(48);
    const renewBefore = cm.renewBefore ?? Duration.hours(25);
    if (duration.toMilliseconds() < 3_600_000) invalid(scope, 'identityIssuer.duration', duration.toHumanString(), 'at least 1 hour');
    if (renewBefore.toMilliseconds() <= 0 || renewBefore.toMilliseconds() >= duration.toMilliseconds()) {
      invalid(scope, 'identityIssuer.renewBefore', renewBefore.toHumanString(), `positive and shorter than the duration (${duration.toHumanString()})`);
    }
    const caSecretName = cm.trustAnchorSecretName ?? 'linkerd-trust-anchor';
    checkDns1123Label(scope, 'identityIssuer.trustAnchorSecretName', caSecretName);
    certManager = { duration, renewBefore, caSecretName };
  }
  const intent: LinkerdInstallIntent = {
    source: scope,
    namespace,
    method,
    proxy: proxyQuantities(scope, 'proxyResources', o.proxyResources),
    chartValues: chartValues(scope, o.chartValues, ['linkerd-crds', 'linkerd-control-plane', 'linkerd-viz']),
    chartVersion: o.chartVersion,
    crdsChartVersion: o.crdsChartVersion ?? o.chartVersion,
    repositoryUrl: o.helmRepositoryUrl ?? (edge ? 'https://helm.linkerd.io/edge' : 'https://helm.linkerd.io/stable'),
    clusterDomain: o.clusterDomain ?? 'cluster.local',
    trustAnchor: anchor,
    certManager,
    highAvailability: o.highAvailability ?? false,
    defaultInboundPolicy: o.defaultInboundPolicy,
    viz: o.viz ?? false,
  };
  const withDefaults = withProxyDefaults(renderers, intent.proxy);
  return { install: new LinkerdInstall(intent), renderersFor: () => withDefaults };
}

/**
 * The stable release whose features an edge chart (`<year>.<month>.<n>`) has: the last stable
 * release cut at or before it (linkerd.io data/versions.yaml: 2.15 edge-24.2.4, 2.16 edge-24.8.2,
 * 2.17 edge-24.11.8, 2.18 edge-25.4.4, 2.19 edge-25.10.7, 2.20 edge-26.6.3). Stable chart 1.16.x is
 * 2.14; other stable charts: undefined.
 */
function installedRelease(chartVersion: string, edge: boolean): number | undefined {
  if (!edge) return /^1\.16\./.test(chartVersion) ? 14 : undefined;
  const [year, month, n] = chartVersion.split('.').map(Number);
  const at = (y: number, m: number, k: number) => year > y || (year === y && (month > m || (month === m && n >= k)));
  const releases: [number, number, number, number][] = [
    [2026, 6, 3, 20], [2025, 10, 7, 19], [2025, 4, 4, 18], [2024, 11, 8, 17], [2024, 8, 2, 16], [2024, 2, 4, 15],
  ];
  return releases.find(([y, m, k]) => at(y, m, k))?.[3] ?? 14;
}
