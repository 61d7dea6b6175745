import { Construct } from 'constructs';
import { PlaintextAlertIntent } from '../../model/security';
import { goDuration } from '../../private/duration';
import { emit, rename } from '../../private/ownership';

/** How one mesh counts plaintext requests that reach a namespace. */
export interface PlaintextMetric {
  /** the label that carries the destination namespace in `expr`'s result */
  readonly namespaceLabel: string;
  /** the mesh, for the alert's description */
  readonly mesh: string;
  /** what the metric counts, for the alert's description */
  readonly counts?: string;
  /** PromQL: per-namespace rate of inbound requests without mTLS, for namespaces matching `regex` */
  expr(regex: string): string;
}

/**
 * A PrometheusRule (`monitoring.coreos.com/v1`) that fires while plaintext requests reach a
 * namespace about to go STRICT. Shared by the mesh renderers; only the metric differs. Nothing is
 * emitted when no namespace is about to go STRICT.
 */
export function renderPlaintextAlert(scope: Construct, alert: PlaintextAlertIntent, metric: PlaintextMetric): void {
  if (alert.watchNamespaces.length === 0) return;
  const regex = alert.watchNamespaces.join('|');
  emit(scope, 'PlaintextAlert', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: alert.name, namespace: alert.namespace, labels: Object.keys(alert.labels).length > 0 ? alert.labels : undefined },
    spec: {
      groups: [{
        name: 'mtls-migration',
        rules: [{
          alert: 'PlaintextRequestsBeforeStrictMtls',
          expr: `${metric.expr(regex)} > 0`,
          for: goDuration(alert.for),
          labels: { severity: alert.severity },
          annotations: {
            summary: `Plaintext requests reach namespace {{ $labels.${metric.namespaceLabel} }}, which is about to go STRICT`,
            description: `${metric.mesh} counts ${metric.counts ?? 'requests'} without mTLS into {{ $labels.${metric.namespaceLabel} }}. `
              + 'Moving it to STRICT now would break those clients: mesh them, or declare them as non-meshed clients, first.',
          },
        }],
      }],
    },
  }, { owner: scope, resolve: rename('id (the alert is named after it)') });
}
