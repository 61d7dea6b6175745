import { Chart } from 'cdk8s';
import { invalidOption, isDns1123Subdomain } from './private/errors';
import { assignCluster, clusterOf } from './private/ownership';

/**
 * Which cluster a chart's objects are applied to. Every object the library emits has one owner
 * in a cluster: two charts of one app that emit the same object (same group, kind, namespace and
 * name) are an error at synthesis, because applied to one cluster one would silently replace the
 * other. Charts of one app go to one cluster unless said otherwise here; charts assigned to
 * different clusters (or environments) may repeat each other's objects.
 *
 * @example
 * MeshCluster.assign(devChart, 'dev');
 * MeshCluster.assign(prodChart, 'prod');
 */
export class MeshCluster {
  /**
   * Declares that `chart` is applied to the cluster `clusterName` (any DNS name you use for it).
   * Call it any time before synthesis.
   */
  public static assign(chart: Chart, clusterName: string): void {
    if (!(chart instanceof Chart)) invalidOption('MeshCluster.assign', 'chart', chart, 'a cdk8s Chart');
    if (typeof clusterName !== 'string' || !isDns1123Subdomain(clusterName)) {
      invalidOption('MeshCluster.assign', 'clusterName', clusterName, 'a DNS name, e.g. "prod-eu-1"');
    }
    assignCluster(chart, clusterName);
  }

  /**
   * The cluster `chart` is applied to: the name given to `assign`, or `undefined` for the app's
   * one cluster.
   */
  public static of(chart: Chart): string | undefined {
    return clusterOf(chart) || undefined;
  }

  private constructor() {}
}
