/**
 * Flagger (flagger.app/v1beta1): a host whose release Flagger drives is rendered as one `Canary`.
 * Flagger owns the host's routing objects (VirtualService and DestinationRules, HTTPRoute or
 * TrafficSplit) and the primary and canary Services and Deployment, so none of them is emitted;
 * what the host's other constructs ask for goes into the Canary's `service`, where it survives
 * Flagger's reconciliation. Semantics from Flagger v1.44.0 (the CRD in ../shared/crds/flagger).
 * @see https://github.com/fluxcd/flagger/tree/v1.44.0/pkg/router
 */
import { Duration } from 'cdk8s';
import { AnalysisIntent, controllerWeights, DeliveryReleaseIntent } from '../../model/delivery-intent';
import { HostIntent, MatchIntent, RouteIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { ServiceProtocol } from '../../model/protocol';
import { ControllerOwnedField, DeliveryDataPlane, DeliveryRenderer, HostObjectSink, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { istioHeaders, istioMatches, istioRetries } from '../istio/istio-routing';
import { istioPolicyUnsupported, istioTrafficPolicy } from '../istio/istio-traffic-policy';
import { capture, cannotDrive, defaultRoute, DeliveryTarget, EngineIntent } from '../shared/delivery-target';

type FlaggerIntent = Extract<EngineIntent, { engine: 'flagger' }>;

/** How Flagger moves traffic, decided from the release's steps, matches and mirror. */
type Strategy = 'canary' | 'ab' | 'blue-green';

/** The pod label Flagger selects the primary by (the first of its `-selector-labels` present): `app`. */
const SELECTOR_LABEL = 'app';
const NAME_LABEL = 'app.kubernetes.io/name';

/** Where Prometheus answers when the user names none: the meshes' own installs. */
export const DEFAULT_PROMETHEUS: Record<string, string> = {
  istio: 'http://prometheus.istio-system:9090',
  linkerd: 'http://prometheus.linkerd-viz:9090',
};

/**
 * Flagger's built-in checks as PromQL, per mesh (pkg/metrics/observers/istio.go, linkerd.go):
 * `{{ target }}` is the Deployment Flagger analyses, whose workload name differs from the
 * primary's (`<name>-primary`).
 */
const QUERIES: Record<string, { successRate: string; duration: string }> = {
  istio: {
    successRate: 'sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",'
      + 'destination_workload=~"{{ target }}",response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total{reporter="destination",'
      + 'destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) * 100',
    duration: 'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",'
      + 'destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))',
  },
  linkerd: {
    successRate: 'sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",'
      + 'direction="inbound"}[{{ interval }}])) / sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",'
      + 'direction="inbound"}[{{ interval }}])) * 100',
    duration: 'histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="{{ namespace }}",deployment=~"{{ target }}",'
      + 'direction="inbound"}[{{ interval }}])) by (le))',
  },
};

/** The `provider` Flagger needs for a routing API (pkg/router/factory.go), or why there is none. */
function flaggerProvider(target: DeliveryTarget): { provider?: string; instead?: string } {
  if (target.ambient) {
    return { instead: 'Flagger routes Istio through sidecars (VirtualService) or Gateway API; use IstioDataPlaneMode.SIDECAR' };
  }
  switch (target.routing) {
    case 'istio': return { provider: 'istio' };
    // Flagger's Gateway API routers: gatewayapi:v1 (v1 HTTPRoutes) and gatewayapi:v1beta1.
    case 'gamma': return { provider: `gatewayapi:${target.gatewayApiVersion ?? 'v1'}` };
    // `linkerd` is the SMI router with TrafficSplit v1alpha1; v1alpha2 is smi:v1alpha2.
    case 'smi': return { provider: target.smiApiVersion === 'split.smi-spec.io/v1alpha2' ? 'smi:v1alpha2' : 'linkerd' };
    default: return {
      instead: 'Flagger has no router for policy.linkerd.io HTTPRoutes: use LinkerdRoutingApi.GATEWAY_API (Flagger provider gatewayapi:v1) or LinkerdRoutingApi.SMI (provider linkerd)',
    };
  }
}

/** The Canary's `provider`, after checking that Flagger can drive the target: an error names both. */
export function flaggerRenderer(target: DeliveryTarget, options: FlaggerIntent, release: DeliveryReleaseIntent): DeliveryRenderer {
  const { provider, instead } = flaggerProvider(target);
  if (!provider) cannotDrive(release, 'Delivery.flagger()', target, 'route it', instead!);
  return new FlaggerCanary(target, options, release, provider);
}

class FlaggerCanary implements DeliveryRenderer {
  public readonly displayName: string;
  public readonly versionServices = false;
  public readonly dataPlane: DeliveryDataPlane;
  /** Flagger writes only the Canary's status and the replicas this library never emits. */
  public readonly ignoreDifferences: ControllerOwnedField[] = [];
  private readonly strategy: Strategy;
  private readonly gatewayApi: boolean;

  constructor(private readonly target: DeliveryTarget, private readonly options: FlaggerIntent,
    private readonly release: DeliveryReleaseIntent, private readonly provider: string) {
    this.displayName = `Flagger (provider ${provider}) on ${target.displayName}`;
    this.gatewayApi = provider.startsWith('gatewayapi');
    this.strategy = this.checkRelease();
    this.dataPlane = {
      workloadName: release.serviceName,
      // Flagger reconciles the apex Service to select its primary (`app: <app>-primary`,
      // pkg/router/kubernetes_default.go reconcileService); emitting exactly that leaves it
      // nothing to change, so Flagger and GitOps never write the Service in turn.
      serviceSelector: shared => ({ [SELECTOR_LABEL]: `${shared[SELECTOR_LABEL] ?? release.serviceName}-primary` }),
      templateOnly: false,
      // Flagger scales the Deployment it analyses to 0 after each promotion and up for the next
      // analysis: replicas in Git would be re-applied by Flux and Argo CD (flagger#1157, #1121).
      omitReplicas: true,
      // Flagger renames only the selector label on the primary's pods (makePrimaryLabels in
      // pkg/canary/deployment_controller.go): a second label stays on both, for policies that
      // select every pod of the service, and gives Istio one canonical service for both.
      podLabels: { [NAME_LABEL]: release.serviceName },
      policySelector: () => ({ [NAME_LABEL]: release.serviceName }),
    };
  }

  public unsupported(route: RouteIntent, protocol: ServiceProtocol): Unsupported[] {
    const out: Unsupported[] = [];
    if (route.inheritBackends && route.matches.length > 0) {
      out.push({
        feature: 'a route policy for some requests only',
        instead: 'Flagger generates one route for the host (the Canary\'s service), whose retries and timeout apply to every request: make the RoutePolicy host-wide (drop matches)',
      });
    }
    if (route.fault) out.push({ feature: 'fault injection', instead: 'Flagger\'s Canary has no fault injection; inject faults in a test environment without Flagger' });
    if (route.retries && this.gatewayApi && this.target.mesh !== 'linkerd') {
      out.push({ feature: 'retries', instead: 'Flagger\'s Gateway API router writes no retries; use Istio\'s own routing API (Flagger provider istio), Linkerd, or drop retries' });
    }
    // Mirroring is judged with the steps (checkRelease); the mesh judges the rest.
    const mesh = this.target.traffic.unsupported({ ...route, mirror: undefined }, protocol);
    return [...out, ...mesh.filter(u => !out.some(o => o.feature === u.feature))];
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version: string | undefined, protocol: ServiceProtocol): Unsupported[] {
    return this.target.routing === 'istio' ? istioPolicyUnsupported(policy) : this.target.traffic.unsupportedPolicy(policy, version, protocol);
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    const name = this.release.serviceName;
    const metadata = { name, namespace: host.namespace };
    // What the mesh renders for the host without Flagger, with the versions as the Services
    // Flagger routes to (`<name>-primary`, `<name>-canary`): kept where Flagger leaves it to us.
    const versions = [[this.release.stable, 'primary'], [this.release.canary, 'canary']]
      .map(([version, role]) => ({ name: version, labels: { [SELECTOR_LABEL]: name }, serviceName: `${name}-${role}` }));
    const base = capture(this.target.traffic, { ...host, versions });
    const route = defaultRoute(host);
    const linkerdRoute = this.target.mesh === 'linkerd' && this.gatewayApi ? base.objects.get('Resource') : undefined;
    const service: Record<string, unknown> = {
      name,
      port: this.release.port,
      targetPort: this.release.targetPort,
      portName: 'http',
      appProtocol: 'http',
      // GAMMA: the HTTPRoute Flagger generates is attached to the apex Service.
      gatewayRefs: this.gatewayApi ? [{ group: '', kind: 'Service', name, namespace: host.namespace, port: this.release.port }] : undefined,
      trafficPolicy: this.target.routing === 'istio' ? istioTrafficPolicy(host.trafficPolicy) : undefined,
      retries: this.target.routing === 'istio' ? istioRetries(route?.retries) : undefined,
      timeout: route?.timeout && this.target.routing !== 'smi' ? goDuration(route.timeout) : undefined,
      headers: this.target.routing !== 'smi' ? istioHeaders(route?.requestHeaders, route?.responseHeaders) : undefined,
      // Linkerd reads retries from its HTTPRoute's annotations; Flagger gives the route the apex metadata.
      apex: linkerdRoute?.metadata.annotations ? { annotations: linkerdRoute.metadata.annotations } : undefined,
    };
    const a = this.options.analysis;
    sink.emit('Resource', {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata,
      spec: {
        provider: this.provider,
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name },
        progressDeadlineSeconds: this.options.progressDeadline ? this.options.progressDeadline.toSeconds() : undefined,
        service,
        analysis: {
          interval: flaggerDuration(a.interval),
          threshold: a.threshold,
          ...this.traffic(a),
          metrics: this.metrics(a, host.namespace),
        },
      },
    });
    // The autoscaler owns the replicas (Flagger copies it for the primary as `<name>-primary`).
    const workload = this.release.workload();
    const pinned = Math.max(1, workload.replicas ?? 1);
    const scaling = this.options.autoscaling ?? { minReplicas: pinned, maxReplicas: pinned, cpuUtilization: 80 };
    sink.emit('HorizontalPodAutoscaler', horizontalPodAutoscaler(metadata, { apiVersion: 'apps/v1', kind: 'Deployment', name }, scaling));
    this.metricTemplates(sink, host);
    // Flagger owns the routing object, and with its Istio router the DestinationRules. What else
    // the mesh renders for the host stays ours: Linkerd's ServiceProfile (SMI retries, timeouts),
    // failure accrual on the apex Service (which we emit), and with Gateway API routing Istio's
    // DestinationRules and BackendTLSPolicies for the Services Flagger's HTTPRoute sends to, which
    // its gatewayapi router leaves alone.
    for (const [id, object] of base.objects) {
      if (id === 'Resource' || (this.target.routing === 'istio' && object.kind === 'DestinationRule')) continue;
      sink.emit(id, object);
    }
    if (Object.keys(base.serviceMetadata.annotations).length > 0 || Object.keys(base.serviceMetadata.labels).length > 0) {
      sink.addToService('failure accrual (circuit breaking) with annotations', base.serviceMetadata);
    }
  }

  /** The analysis fields that move traffic, by strategy. */
  private traffic(a: AnalysisIntent): Record<string, unknown> {
    const weights = controllerWeights(this.release.steps);
    const mirror = this.release.mirrorPercent !== undefined
      ? { mirror: true, mirrorWeight: this.target.routing === 'istio' ? this.release.mirrorPercent : undefined } : {};
    switch (this.strategy) {
      case 'ab':
        return { iterations: a.iterations, match: this.release.matches.map(m => flaggerMatch(m)) };
      case 'blue-green':
        return { iterations: a.iterations, ...mirror };
      default: {
        // Uniform steps are Flagger's own stepWeight/maxWeight; any other series is stepWeights.
        const uniform = weights.every((w, i) => w === weights[0] * (i + 1));
        return { ...(uniform ? { stepWeight: weights[0], maxWeight: weights[weights.length - 1] } : { stepWeights: weights }), ...mirror };
      }
    }
  }

  private metrics(a: AnalysisIntent, namespace?: string): unknown[] {
    const templated = this.templated();
    const interval = flaggerDuration(a.interval);
    const metric = (name: string, thresholdRange: Record<string, number>) => ({
      name,
      templateRef: templated ? { name: `${this.release.serviceName}-${name}`, namespace } : undefined,
      thresholdRange,
      interval,
    });
    return [
      ...(a.successRate !== undefined ? [metric('request-success-rate', { min: a.successRate })] : []),
      ...(a.maxRequestDuration ? [metric('request-duration', { max: a.maxRequestDuration.toMilliseconds() })] : []),
    ];
  }

  /**
   * Flagger's built-in checks query the mesh named by the Canary's `provider` (istio, linkerd);
   * with another provider (gatewayapi, smi:v1alpha2) they query the application's own metrics or
   * Istio's (pkg/controller/scheduler_metrics.go runBuiltinMetricChecks, observers/factory.go), so
   * the mesh's queries come with MetricTemplates instead.
   */
  private templated(): boolean {
    return this.provider !== 'istio' && this.provider !== 'linkerd' && this.target.mesh in QUERIES;
  }

  private metricTemplates(sink: HostObjectSink, host: HostIntent): void {
    if (!this.templated()) return;
    const a = this.options.analysis;
    const queries = QUERIES[this.target.mesh];
    const address = this.options.prometheusAddress ?? DEFAULT_PROMETHEUS[this.target.mesh];
    const template = (name: string, query: string) => sink.emit(`MetricTemplate-${name}`, {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'MetricTemplate',
      metadata: { name: `${this.release.serviceName}-${name}`, namespace: host.namespace },
      spec: { provider: { type: 'prometheus', address }, query },
    });
    if (a.successRate !== undefined) template('request-success-rate', queries.successRate);
    if (a.maxRequestDuration) template('request-duration', queries.duration);
  }

  /**
   * The strategy the release maps to, or the error that names Flagger and the provider:
   * - weights between 0 and 100: progressive canary (stepWeights), one step per interval;
   * - `canaryMatches`: A/B (analysis.match + iterations): Flagger sends matched requests to the
   *   canary and keeps the others on the primary until promotion, so the steps must be [0, 100];
   * - steps [0, 100] without matches: blue/green for `iterations` (mirrored, with mirrorPercent).
   */
  private checkRelease(): Strategy {
    const r = this.release;
    const weights = controllerWeights(r.steps);
    const a = this.options.analysis;
    const fail = (what: string, instead: string): never => cannotDrive(r, 'Delivery.flagger()', this.target, what, instead);
    if (r.matches.length > 0) {
      if (this.target.routing === 'smi') fail('route by request headers (A/B)', 'Flagger\'s SMI router splits by weight only; use Gateway API routing (LinkerdRoutingApi.GATEWAY_API) or drop canaryMatches');
      if (weights.length > 0 || a.iterations === undefined) {
        fail('send matched requests to the canary while splitting the others by weight',
          'its A/B mode (analysis.match with iterations) keeps unmatched requests on the primary until promotion: set steps [0, 100] and analysis.iterations, or drop canaryMatches');
      }
      if (r.mirrorPercent !== undefined) fail('mirror requests in A/B mode', 'drop mirrorPercent or canaryMatches');
      for (const m of r.matches) {
        if (m.path || m.method) fail(`match requests by ${m.path ? 'path' : 'method'} (analysis.match has headers and query parameters only)`, 'match the canary\'s requests by header or query parameter');
        if (this.gatewayApi && [...m.headers, ...m.queryParams].some(h => h.kind === 'prefix')) {
          fail('match a header or query parameter by prefix on Gateway API', 'use an exact or regex match');
        }
      }
      return 'ab';
    }
    if (weights.length === 0) {
      if (a.iterations === undefined) {
        fail(`roll out steps ${JSON.stringify(r.steps)} without analysis.iterations`,
          'give steps with a weight between 0 and 100 (e.g. [5, 25, 50, 100]), or steps [0, 100] with analysis.iterations (blue/green)');
      }
      if (r.mirrorPercent !== undefined && this.target.routing === 'smi') fail('mirror requests', 'Flagger\'s SMI router has no mirroring; drop mirrorPercent');
      if (r.mirrorPercent !== undefined && this.gatewayApi && r.mirrorPercent !== 100) {
        fail(`mirror ${r.mirrorPercent}% of requests`, 'Flagger\'s Gateway API router mirrors every request in blue/green mode: set mirrorPercent 100 or use Istio\'s own routing API');
      }
      return 'blue-green';
    }
    if (a.iterations !== undefined) {
      fail('count iterations while shifting weights', 'analysis.iterations is for header A/B (canaryMatches) and blue/green (steps [0, 100]); Flagger shifts one weight per interval');
    }
    if (r.mirrorPercent !== undefined) {
      if (this.target.routing !== 'istio') {
        fail('mirror requests before shifting weights', 'only Flagger\'s Istio router mirrors in canary mode (mirrorWeight); use Istio\'s own routing API, blue/green (steps [0, 100] with iterations), or drop mirrorPercent');
      }
      if (r.steps[0] !== 0) {
        fail('mirror requests at every step', 'Flagger mirrors for one interval before the first weight, then stops: start steps at 0 (the mirrored dark launch), e.g. [0, 5, 25, 50, 100]');
      }
      if (!Number.isInteger(r.mirrorPercent)) fail(`mirror ${r.mirrorPercent}% of requests`, 'Flagger\'s mirrorWeight is a whole percentage');
    }
    return 'canary';
  }
}

/** `1m`, `90s`: Flagger's intervals are one number and a unit, `^[0-9]+(m|s)`. */
function flaggerDuration(d: Duration): string {
  const s = d.toSeconds();
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** One match as Flagger's `analysis.match` entry (Istio's HTTPMatchRequest, headers and query parameters). */
function flaggerMatch(m: MatchIntent): unknown {
  const [istio] = istioMatches({ headers: m.headers, queryParams: m.queryParams });
  return istio;
}

/** A HorizontalPodAutoscaler (autoscaling/v2) on CPU for `target`. */
export function horizontalPodAutoscaler(metadata: { name: string; namespace?: string }, target: { apiVersion: string; kind: string; name: string },
  scaling: { minReplicas: number; maxReplicas: number; cpuUtilization: number }) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: target,
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.cpuUtilization } } }],
    },
  };
}
