import { Construct } from 'constructs';
import { ApplicationSpec, ArgoIgnoreDifference, HelmReleaseSpec, HelmReleaseValuesReference, HelmRepositorySpec } from './types';
import { ArgoCdMethodIntent, FluxMethodIntent } from '../../../model/install';
import { goDuration } from '../../../private/duration';
import { emit } from '../../../private/ownership';
import { nonEmpty } from '../../../private/values';

/** A Helm chart repository. */
export interface ChartRepository {
  /** the HelmRepository name (Flux) */
  readonly name: string;
  readonly url: string;
}

/**
 * One Helm release of a mesh install, as the mesh's install renderer describes it. The GitOps
 * builders below turn a list of them into Flux or Argo CD objects; both meshes share them, which is
 * why they live outside src/providers/istio and src/providers/linkerd (they know no mesh CRD).
 */
export interface ChartRelease {
  /** the release name, unique in the install */
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly repository: ChartRepository;
  /** the namespace the chart installs into */
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  /** releases (by name) that must be ready first */
  readonly dependsOn: string[];
  /** values read from a Secret or ConfigMap (Flux only) */
  readonly valuesFrom?: HelmReleaseValuesReference[];
  /** fields Argo CD must not treat as drift (Argo CD only) */
  readonly ignoreDifferences?: ArgoIgnoreDifference[];
}

/**
 * Flux: one HelmRepository per repository and one HelmRelease per chart, ordered by `dependsOn`.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
export function renderFlux(scope: Construct, method: FluxMethodIntent, releases: ChartRelease[]): void {
  const interval = goDuration(method.interval);
  const repositories = new Map<string, ChartRepository>();
  releases.forEach(r => repositories.set(r.repository.name, r.repository));
  for (const repo of repositories.values()) {
    const spec: HelmRepositorySpec = { url: repo.url, interval };
    emit(scope, `HelmRepository-${repo.name}`, {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: repo.name, namespace: method.namespace },
      spec,
    }, { owner: scope });
  }
  for (const r of releases) {
    const spec: HelmReleaseSpec = {
      interval,
      releaseName: r.name,
      targetNamespace: r.namespace,
      chart: { spec: { chart: r.chart, version: r.version, sourceRef: { kind: 'HelmRepository', name: r.repository.name, namespace: method.namespace } } },
      dependsOn: r.dependsOn.length > 0 ? r.dependsOn.map(name => ({ name })) : undefined,
      install: { crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3 } },
      values: nonEmpty(r.values),
      valuesFrom: r.valuesFrom,
    };
    emit(scope, `HelmRelease-${r.name}`, {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: r.name, namespace: method.namespace },
      spec,
    }, { owner: scope });
  }
}

/**
 * Argo CD: one Application per chart (for an app-of-apps), ordered by sync waves that follow
 * `dependsOn`: CRDs and base first.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export function renderArgoCd(scope: Construct, method: ArgoCdMethodIntent, releases: ChartRelease[]): void {
  const waves = syncWaves(releases);
  for (const r of releases) {
    const spec: ApplicationSpec = {
      project: method.project,
      destination: { server: method.server, namespace: r.namespace },
      source: {
        repoURL: r.repository.url,
        chart: r.chart,
        targetRevision: r.version,
        helm: { releaseName: r.name, valuesObject: nonEmpty(r.values) },
      },
      syncPolicy: {
        automated: method.automated ? { prune: true, selfHeal: true } : undefined,
        // CRDs are large: server-side apply avoids the annotation size limit of client-side apply.
        syncOptions: ['ServerSideApply=true'],
      },
      ignoreDifferences: r.ignoreDifferences,
    };
    emit(scope, `Application-${r.name}`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: r.name,
        namespace: method.namespace,
        annotations: { 'argocd.argoproj.io/sync-wave': String(waves.get(r.name)) },
      },
      spec,
    }, { owner: scope });
  }
}

/**
 * Annotations for custom resources applied with the charts (mesh-wide defaults, certificates): a
 * sync wave after every chart, and no dry run while their CRDs do not exist yet.
 */
export function argoCdAfterCharts(releases: ChartRelease[]): Record<string, string> {
  const last = Math.max(-1, ...syncWaves(releases).values());
  return {
    'argocd.argoproj.io/sync-wave': String(last + 1),
    'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
  };
}

/** Each release's wave: one more than the latest of its dependencies (0 without any). */
function syncWaves(releases: ChartRelease[]): Map<string, number> {
  const waves = new Map<string, number>();
  const wave = (name: string): number => {
    const known = waves.get(name);
    if (known !== undefined) return known;
    const release = releases.find(r => r.name === name);
    const w = release ? Math.max(-1, ...release.dependsOn.map(wave)) + 1 : 0;
    waves.set(name, w);
    return w;
  };
  releases.forEach(r => wave(r.name));
  return waves;
}
