import { ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import { LinkerdInstallIntent } from './install-intent';
import { CaIssuerSpec, CertificateSpec } from './install-types';
import { NamespaceIntent } from '../../model/install';
import { InstallRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { unsupportedMessage } from '../../private/errors';
import { emit } from '../../private/ownership';
import { compact, deepMerge } from '../../private/values';
import { argoCdAfterCharts, ChartRelease, renderArgoCd, renderFlux } from '../shared/gitops';
import { HelmReleaseValuesReference } from '../shared/gitops/types';

/** the Secret cert-manager writes the identity issuer to, which the control plane reads */
export const LINKERD_IDENTITY_ISSUER = 'linkerd-identity-issuer';
export const LINKERD_VIZ_NAMESPACE = 'linkerd-viz';

/**
 * Linkerd's install renderer: the control plane (`renderInstall`) and the application namespaces
 * that join the mesh (`renderNamespace`).
 */
export class LinkerdInstall implements InstallRenderer {
  public readonly displayName = 'Linkerd';
  public readonly namespace: string;
  public readonly reservedNamespaces: string[];
  public readonly revisionTargets: string[] = [];

  constructor(private readonly intent: LinkerdInstallIntent) {
    this.namespace = intent.namespace;
    this.reservedNamespaces = [intent.namespace, LINKERD_VIZ_NAMESPACE];
  }

  public namespaceUnsupported(ns: NamespaceIntent): Unsupported[] {
    const out: Unsupported[] = [];
    if (ns.revision !== undefined) {
      out.push({ feature: `a control-plane revision for namespace '${ns.name}'`, instead: 'Linkerd runs one control plane; drop revision' });
    }
    if (ns.egressHosts !== undefined) {
      out.push({
        feature: `an egress host list for namespace '${ns.name}'`,
        instead: 'Linkerd proxies discover destinations on demand and need no Sidecar-style scoping; drop egressHosts',
      });
    }
    return out;
  }

  public renderInstall(scope: Construct): void {
    renderLinkerdInstall(scope, this.intent);
  }

  public renderNamespace(scope: Construct, ns: NamespaceIntent): void {
    renderLinkerdNamespace(scope, this.intent, ns);
  }
}

function emitOwned(scope: Construct, id: string, props: ApiObjectProps, i: LinkerdInstallIntent): void {
  emit(scope, id, props, { owner: i.source });
}

/**
 * Renders a Linkerd install: the control-plane namespace, linkerd-crds → linkerd-control-plane
 * (→ linkerd-viz) through Flux or Argo CD, and the identity issuer through cert-manager (a CA
 * `Issuer` over the trust anchor's key pair and a 48 h ECDSA P-256 `Certificate`), read by the
 * control plane with `identity.issuer.scheme: kubernetes.io/tls`, so no private key is in Git.
 * @see https://linkerd.io/2/tasks/install-helm/
 * @see https://linkerd.io/2/tasks/automatically-rotating-control-plane-tls-credentials/
 */
function renderLinkerdInstall(scope: Construct, i: LinkerdInstallIntent): void {
  if (i.method.kind === 'sail') {
    throw new Error(unsupportedMessage(i.source, 'the Sail operator', 'a Linkerd install', 'Sail installs Istio only; use InstallMethod.flux() or InstallMethod.argoCd()'));
  }
  for (const key of Object.keys(i.chartValues)) {
    if (!['linkerd-crds', 'linkerd-control-plane', ...(i.viz ? ['linkerd-viz'] : [])].includes(key)) {
      throw new Error(`${i.source.node.path}: 'chartValues' key (${JSON.stringify(key)}) must be a chart this install has: linkerd-crds, linkerd-control-plane${i.viz ? ', linkerd-viz' : ''}`);
    }
  }
  if (i.trustAnchor.ref && i.method.kind === 'argocd') {
    throw new Error(unsupportedMessage(i.source, 'Argo CD', `chart values read from a ${i.trustAnchor.ref.kind}`,
      'pass the trust anchor certificate with TrustAnchor.fromPem() (it is public), or install with InstallMethod.flux()'));
  }
  // The control plane's namespace is never injected and is skipped by its own webhooks.
  emit(scope, 'Namespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: i.namespace,
      labels: { 'config.linkerd.io/admission-webhooks': 'disabled', 'linkerd.io/control-plane-ns': i.namespace, 'linkerd.io/is-control-plane': 'true' },
      annotations: { 'linkerd.io/inject': 'disabled' },
    },
  }, { owner: i.source, merge: 'metadata' });

  const repository = { name: /^\d{4}\./.test(i.chartVersion) ? 'linkerd-edge' : 'linkerd', url: i.repositoryUrl };
  const ha = i.highAvailability ? {
    // the chart's values-ha.yaml, minus its resource figures (proxy sizing is set below)
    controllerReplicas: 3,
    enablePodAntiAffinity: true,
    enablePodDisruptionBudget: true,
    deploymentStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
    webhookFailurePolicy: 'Fail',
  } : {};
  const valuesFrom: HelmReleaseValuesReference[] | undefined = i.trustAnchor.ref ? [{
    kind: i.trustAnchor.ref.kind, name: i.trustAnchor.ref.name, valuesKey: i.trustAnchor.ref.key, targetPath: 'identityTrustAnchorsPEM',
  }] : undefined;
  const releases: ChartRelease[] = [{
    name: 'linkerd-crds',
    chart: 'linkerd-crds',
    version: i.crdsChartVersion,
    repository,
    namespace: i.namespace,
    values: deepMerge({}, i.chartValues['linkerd-crds']),
    dependsOn: [],
  }, {
    name: 'linkerd-control-plane',
    chart: 'linkerd-control-plane',
    version: i.chartVersion,
    repository,
    namespace: i.namespace,
    values: deepMerge(compact({
      clusterDomain: i.clusterDomain === 'cluster.local' ? undefined : i.clusterDomain,
      identityTrustAnchorsPEM: i.trustAnchor.pem,
      identity: { issuer: { scheme: 'kubernetes.io/tls' } },
      proxy: {
        resources: {
          cpu: { request: i.proxy.cpuRequest, limit: i.proxy.cpuLimit },
          memory: { request: i.proxy.memoryRequest, limit: i.proxy.memoryLimit },
        },
        defaultInboundPolicy: i.defaultInboundPolicy,
      },
      ...ha,
    }), i.chartValues['linkerd-control-plane']),
    dependsOn: ['linkerd-crds'],
    valuesFrom,
  }];
  if (i.viz) {
    emit(scope, 'Namespace-viz', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: LINKERD_VIZ_NAMESPACE, labels: { 'linkerd.io/extension': 'viz' }, annotations: { 'linkerd.io/inject': 'enabled' } },
    }, { owner: i.source, merge: 'metadata' });
    releases.push({
      name: 'linkerd-viz',
      chart: 'linkerd-viz',
      version: i.chartVersion,
      repository,
      namespace: LINKERD_VIZ_NAMESPACE,
      // the namespace is declared above, with the labels the CLI would give it
      values: deepMerge({ installNamespace: false }, i.chartValues['linkerd-viz']),
      dependsOn: ['linkerd-control-plane'],
    });
  }
  let after: Record<string, string> | undefined;
  if (i.method.kind === 'flux') {
    renderFlux(scope, i.method, releases);
  } else {
    renderArgoCd(scope, i.method, releases);
    after = argoCdAfterCharts(releases);
  }

  if (i.certManager) {
    const cm = i.certManager;
    const issuer: CaIssuerSpec = { ca: { secretName: cm.caSecretName } };
    emitOwned(scope, 'TrustAnchorIssuer', {
      apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'linkerd-trust-anchor', namespace: i.namespace, annotations: after }, spec: issuer,
    }, i);
    const identity = `identity.${i.namespace}.${i.clusterDomain}`;
    const cert: CertificateSpec = {
      secretName: LINKERD_IDENTITY_ISSUER,
      duration: goDuration(cm.duration),
      renewBefore: goDuration(cm.renewBefore),
      issuerRef: { name: 'linkerd-trust-anchor', kind: 'Issuer' },
      commonName: identity,
      dnsNames: [identity],
      isCA: true,
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
    };
    emitOwned(scope, 'IdentityIssuerCertificate', {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: LINKERD_IDENTITY_ISSUER, namespace: i.namespace, annotations: after }, spec: cert,
    }, i);
  }
}

/**
 * An app namespace: `linkerd.io/inject: enabled` and, if set, its default inbound policy. With the
 * kill switch, `linkerd.io/inject: disabled` plus `config.linkerd.io/admission-webhooks: disabled`,
 * which takes the namespace out of the proxy injector entirely, so pod annotations cannot win.
 * @see https://linkerd.io/2/features/proxy-injection/
 */
function renderLinkerdNamespace(scope: Construct, i: LinkerdInstallIntent, ns: NamespaceIntent): void {
  const annotations: Record<string, string> = { 'linkerd.io/inject': ns.injected ? 'enabled' : 'disabled' };
  if (ns.defaultInboundPolicy) annotations['config.linkerd.io/default-inbound-policy'] = ns.defaultInboundPolicy;
  // Shared with a migration that sets the namespace's inbound policy: labels and annotations merge.
  emit(scope, `Namespace-${ns.name}`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns.name,
      labels: ns.injected ? undefined : { 'config.linkerd.io/admission-webhooks': 'disabled' },
      annotations,
    },
  }, { owner: i.source, merge: 'metadata' });
}
