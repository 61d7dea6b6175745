/**
 * The fields of the GitOps controllers' objects that the builders emit, written by hand from
 * source.toolkit.fluxcd.io/v1 HelmRepository, helm.toolkit.fluxcd.io/v2 HelmRelease and
 * argoproj.io/v1alpha1 Application. Correctness is proven by validating against the upstream CRDs.
 */

export interface HelmRepositorySpec {
  readonly url: string;
  readonly interval: string;
}

export interface HelmReleaseValuesReference {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly valuesKey: string;
  readonly targetPath: string;
}

export interface HelmReleaseSpec {
  readonly interval: string;
  readonly releaseName: string;
  readonly targetNamespace: string;
  readonly chart: {
    readonly spec: {
      readonly chart: string;
      readonly version: string;
      readonly sourceRef: { readonly kind: 'HelmRepository'; readonly name: string; readonly namespace: string };
    };
  };
  readonly dependsOn?: { readonly name: string }[];
  readonly install: { readonly crds: 'CreateReplace'; readonly remediation: { readonly retries: number } };
  readonly upgrade: { readonly crds: 'CreateReplace'; readonly remediation: { readonly retries: number } };
  readonly values?: Record<string, unknown>;
  readonly valuesFrom?: HelmReleaseValuesReference[];
}

export interface ArgoIgnoreDifference {
  readonly group?: string;
  readonly kind: string;
  readonly name?: string;
  readonly jsonPointers?: string[];
  readonly jqPathExpressions?: string[];
}

export interface ApplicationSpec {
  readonly project: string;
  readonly destination: { readonly server: string; readonly namespace: string };
  readonly source: {
    readonly repoURL: string;
    readonly chart: string;
    readonly targetRevision: string;
    readonly helm: { readonly releaseName: string; readonly valuesObject?: Record<string, unknown> };
  };
  readonly syncPolicy: {
    readonly automated?: { readonly prune: boolean; readonly selfHeal: boolean };
    readonly syncOptions: string[];
  };
  readonly ignoreDifferences?: ArgoIgnoreDifference[];
}
