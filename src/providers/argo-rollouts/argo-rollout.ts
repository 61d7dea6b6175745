/**
 * Argo Rollouts (argoproj.io/v1alpha1): a host whose release Argo Rollouts drives keeps its
 * routing objects (they are ours, with the controller's weights moving in them) and gets a
 * `Rollout` in place of the canary's Deployment, with `setWeight` and `pause` steps from the
 * release's steps, an AnalysisTemplate with the mesh's Prometheus queries, and the traffic
 * routing the provider uses: Istio (subset-level: a VirtualService route and the DestinationRule
 * subsets the controller labels), SMI (a TrafficSplit the controller creates) or Gateway API
 * (the argoproj-labs/gatewayAPI plugin moves the HTTPRoute's weights). Semantics from Argo
 * Rollouts v1.9.1 (rollout/trafficrouting) and the plugin v0.15.0 (pkg/plugin).
 * @see https://argoproj.github.io/argo-rollouts/features/traffic-management/
 */
import { Duration } from 'cdk8s';
import { AnalysisIntent, DeliveryReleaseIntent } from '../../model/delivery-intent';
import { HostIntent, MatchIntent, RouteIntent, VersionIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { ServiceProtocol } from '../../model/protocol';
import { ControllerOwnedField, DeliveryDataPlane, DeliveryRenderer, HostObject, HostObjectSink, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { DEFAULT_PROMETHEUS, horizontalPodAutoscaler } from '../flagger/flagger-canary';
import { capture, cannotDrive, DeliveryTarget, EngineIntent, FLUX_CREATE_ONLY } from '../shared/delivery-target';

type ArgoIntent = Extract<EngineIntent, { engine: 'argo-rollouts' }>;

/** The plugin's name in the controller's `trafficRouterPlugins` (its README). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';
/** The Rollout's managed routes: the header route and the mirror route it inserts and removes. */
const HEADER_ROUTE = 'canary-match';
const MIRROR_ROUTE = 'canary-mirror';
/** The label Argo Rollouts adds to subsets and Service selectors (v1alpha1.DefaultRolloutUniqueLabelKey). */
const HASH_LABEL = 'rollouts-pod-template-hash';
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

/** The release's versions under the names the controller knows: stable and canary. */
const ROLES = ['stable', 'canary'] as const;

/**
 * The analysis per mesh. Argo Rollouts keeps both versions in one workload, so the canary's pods
 * are told apart by what differs on them: on Istio the canonical revision (the pods' `version`
 * label, istio_requests_total's `destination_canonical_revision`), on Linkerd the pod template
 * hash, which Linkerd's Prometheus configuration copies from the pod labels onto every metric
 * (`rollouts_pod_template_hash`).
 * @see https://linkerd.io/2/tasks/external-prometheus/
 */
const QUERIES: Record<string, { arg: { name: string; valueFrom?: unknown }; successRate: (w: string) => string; duration: (w: string) => string }> = {
  istio: {
    arg: { name: 'canary-version' },
    successRate: w => `sum(rate(istio_requests_total{${ISTIO_CANARY},response_code!~"5.*"}[${w}])) / sum(rate(istio_requests_total{${ISTIO_CANARY}}[${w}])) * 100`,
    duration: w => `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${ISTIO_CANARY}}[${w}])) by (le))`,
  },
  linkerd: {
    arg: { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    successRate: w => `sum(rate(response_total{${LINKERD_CANARY},classification!="failure"}[${w}])) / sum(rate(response_total{${LINKERD_CANARY}}[${w}])) * 100`,
    duration: w => `histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{${LINKERD_CANARY}}[${w}])) by (le))`,
  },
};
const ISTIO_CANARY = 'reporter="destination",destination_workload_namespace="{{args.namespace}}",'
  + 'destination_canonical_service="{{args.service}}",destination_canonical_revision="{{args.canary-version}}"';
const LINKERD_CANARY = 'namespace="{{args.namespace}}",direction="inbound",rollouts_pod_template_hash="{{args.canary-hash}}"';

/** The Rollout's traffic routing for a target, or why Argo Rollouts cannot route it. */
function routerFor(target: DeliveryTarget): { router?: 'istio' | 'smi' | 'plugin'; instead?: string } {
  if (target.ambient) return { instead: 'route Istio through sidecars (IstioDataPlaneMode.SIDECAR): the Rollout\'s Istio router writes VirtualService weights that ambient mode applies only at a waypoint' };
  switch (target.routing) {
    case 'istio': return { router: 'istio' };
    case 'smi': return { router: 'smi' };
    // The plugin is built on sigs.k8s.io/gateway-api's v1 client (pkg/plugin/types.go imports apis/v1).
    case 'gamma': return target.gatewayApiVersion === 'v1' ? { router: 'plugin' } : {
      instead: `the ${GATEWAY_API_PLUGIN} plugin reads gateway.networking.k8s.io/v1 HTTPRoutes only: emit v1 (Linkerd 2.18 or later, or gatewayApiVersion GatewayApiVersion.V1)`,
    };
    default: return { instead: 'no Argo Rollouts router writes policy.linkerd.io HTTPRoutes: use LinkerdRoutingApi.GATEWAY_API (the argoproj-labs/gatewayAPI plugin) or LinkerdRoutingApi.SMI' };
  }
}

export function argoRolloutRenderer(target: DeliveryTarget, options: ArgoIntent, release: DeliveryReleaseIntent): DeliveryRenderer {
  const found = routerFor(target);
  if (!found.router) cannotDrive(release, 'Delivery.argoRollouts()', target, 'route it', found.instead!);
  return new ArgoRollout(target, options, release, found.router);
}

class ArgoRollout implements DeliveryRenderer {
  public readonly displayName: string;
  public readonly versionServices: boolean;
  public readonly dataPlane: DeliveryDataPlane;
  public readonly ignoreDifferences: ControllerOwnedField[];

  constructor(private readonly target: DeliveryTarget, private readonly options: ArgoIntent,
    private readonly release: DeliveryReleaseIntent, private readonly router: 'istio' | 'smi' | 'plugin') {
    const via = this.router === 'istio' ? 'Istio subset-level' : this.router === 'smi' ? 'SMI' : `the ${GATEWAY_API_PLUGIN} plugin`;
    this.displayName = `Argo Rollouts (${via} traffic routing) on ${target.displayName}`;
    this.versionServices = target.traffic.versionServices;
    this.checkRelease();
    this.dataPlane = {
      workloadName: release.serviceName,
      serviceSelector: shared => shared,
      // The Rollout carries the canary's pod template; the Deployment is not emitted.
      templateOnly: true,
      omitReplicas: options.autoscaling !== undefined,
      podLabels: {},
      policySelector: shared => shared,
    };
    this.ignoreDifferences = this.owned();
  }

  public unsupported(route: RouteIntent, protocol: ServiceProtocol): Unsupported[] {
    const out: Unsupported[] = [];
    const settings = route.retries || route.timeout || route.fault || route.requestHeaders || route.responseHeaders;
    if (route.source === this.release.source && route.matches.length > 0 && settings) {
      out.push({
        feature: 'retries, a timeout, faults or header changes on the requests canaryMatches selects',
        instead: 'Argo Rollouts\' header route (setHeaderRoute) sends them to the canary with none of the route\'s settings: drop them from the release, or drop canaryMatches',
      });
    }
    if (this.release.mirrorPercent !== undefined && (settings || (route.inheritBackends && route.matches.length > 0))) {
      out.push({
        feature: 'route settings or matched route policies while mirroring',
        instead: 'Argo Rollouts\' mirror route (setMirrorRoute) matches every request first and copies only the weighted route\'s destinations: drop mirrorPercent, or the route\'s retries, timeout, faults, header changes and matched policies',
      });
    }
    // The header route and the mirror are the controller's (managed routes); the mesh judges the rest.
    if (route.source === this.release.source && route.matches.length > 0) return out;
    return [...out, ...this.target.traffic.unsupported({ ...route, mirror: undefined }, protocol)];
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version: string | undefined, protocol: ServiceProtocol): Unsupported[] {
    return this.target.traffic.unsupportedPolicy(policy, version, protocol);
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    const name = this.release.serviceName;
    const metadata = { name, namespace: host.namespace };
    const routed = this.routedHost(host);
    // The routing objects stay ours, at the weights Argo Rollouts starts from (stable 100, canary 0).
    const base = capture(this.target.traffic, routed);
    for (const [id, object] of base.objects) {
      if (this.router === 'smi' && object.kind === 'TrafficSplit') continue; // the Rollout creates and owns it (smi.go)
      const moved = (id === 'Resource' && this.router !== 'smi') || (this.router === 'istio' && object.kind === 'DestinationRule');
      sink.emit(id, moved ? withAnnotations(object, FLUX_CREATE_ONLY) : object);
    }
    if (Object.keys(base.serviceMetadata.annotations).length > 0 || Object.keys(base.serviceMetadata.labels).length > 0) {
      sink.addToService('failure accrual (circuit breaking) with annotations', base.serviceMetadata);
    }
    if (this.router !== 'istio') {
      for (const role of ROLES) {
        sink.emit(`Service-${role}`, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `${name}-${role}`, namespace: host.namespace, labels: { app: name }, annotations: FLUX_CREATE_ONLY },
          spec: {
            // Argo Rollouts adds the pod template hash of the version this Service stands for.
            selector: this.release.workload().selector,
            ports: [{ name: 'http', port: this.release.port, targetPort: this.release.targetPort, protocol: 'TCP', appProtocol: 'http' }],
          },
        });
      }
    }
    const workload = this.release.workload();
    const a = this.options.analysis;
    const templateArgs = a ? this.analysisArgs() : [];
    sink.emit('Rollout', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { ...metadata, labels: { app: name } },
      spec: {
        replicas: this.options.autoscaling ? undefined : workload.replicas,
        selector: { matchLabels: workload.selector },
        template: workload.template,
        strategy: {
          canary: {
            stableService: this.router !== 'istio' ? `${name}-stable` : undefined,
            canaryService: this.router !== 'istio' ? `${name}-canary` : undefined,
            trafficRouting: this.trafficRouting(routed),
            analysis: a ? { templates: [{ templateName: name }], startingStep: this.startingStep(), args: templateArgs } : undefined,
            steps: this.steps(a),
          },
        },
      },
    });
    if (a) this.analysisTemplate(sink, metadata, a);
    if (this.options.autoscaling) {
      sink.emit('HorizontalPodAutoscaler', horizontalPodAutoscaler(metadata, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }, this.options.autoscaling));
    }
  }

  /**
   * The host as the routing objects hold it under Argo Rollouts: the versions are the stable and
   * canary roles (subsets or Services the controller points at each release's pods), the split
   * starts at stable 100 / canary 0, and the header and mirror routes are left to the controller.
   */
  private routedHost(host: HostIntent): HostIntent {
    const selector = this.release.workload().selector;
    const role = (version?: string) => version === this.release.stable ? 'stable' : version === this.release.canary ? 'canary' : version;
    const versions: VersionIntent[] = ROLES.map(r => ({ name: r, labels: selector, serviceName: `${this.release.serviceName}-${r}` }));
    const routes = host.routes
      .filter(r => !(r.source === this.release.source && r.matches.length > 0))
      .map(r => ({
        ...r,
        mirror: undefined,
        backends: r.backends.map(b => ({ version: role(b.version), weight: r.backends.length > 1 ? (role(b.version) === 'stable' ? 100 : 0) : b.weight })),
      }));
    return { ...host, versions, routes };
  }

  private trafficRouting(routed: HostIntent): unknown {
    const managedRoutes = [
      ...(this.release.matches.length > 0 ? [{ name: HEADER_ROUTE }] : []),
      ...(this.release.mirrorPercent !== undefined ? [{ name: MIRROR_ROUTE }] : []),
    ];
    const common = { managedRoutes: managedRoutes.length > 0 ? managedRoutes : undefined };
    const name = this.release.serviceName;
    switch (this.router) {
      case 'istio':
        return {
          istio: {
            // Every route that splits between the versions moves with the weights (a RoutePolicy's too).
            virtualService: { name, routes: routed.routes.filter(r => r.backends.length > 1).map(r => r.name) },
            destinationRule: { name, stableSubsetName: 'stable', canarySubsetName: 'canary' },
          },
          ...common,
        };
      case 'smi':
        return { smi: { rootService: name, trafficSplitName: name } };
      default:
        return {
          plugins: {
            [GATEWAY_API_PLUGIN]: {
              httpRoutes: [{ name, useHeaderRoutes: this.release.matches.length > 0 ? true : undefined }],
              namespace: routed.namespace,
            },
          },
          ...common,
        };
    }
  }

  /** setHeaderRoute and setMirrorRoute first, then each weight with its gate; promotion after the last. */
  private steps(a?: AnalysisIntent): unknown[] {
    const r = this.release;
    const gate = () => {
      const pause = this.options.pause ?? a?.interval;
      return { pause: pause ? { duration: argoDuration(pause) } : {} };
    };
    const steps: unknown[] = [];
    if (r.matches.length > 0) steps.push({ setHeaderRoute: { name: HEADER_ROUTE, match: r.matches.flatMap(m => headerRouteMatch(m)) } });
    if (r.mirrorPercent !== undefined) {
      steps.push({ setMirrorRoute: { name: MIRROR_ROUTE, percentage: r.mirrorPercent, match: [{ path: { prefix: '/' } }] } });
    }
    for (const weight of r.steps.filter(s => s < 100)) steps.push({ setWeight: weight }, gate());
    return steps;
  }

  /** The background analysis starts with the first step that sends the canary requests. */
  private startingStep(): number {
    const r = this.release;
    if (r.matches.length > 0 || r.mirrorPercent !== undefined) return 0;
    const first = r.steps.filter(s => s < 100).findIndex(s => s > 0);
    return first < 0 ? 0 : first * 2;
  }

  private analysisArgs(): unknown[] {
    const q = QUERIES[this.target.mesh];
    const canary = q.arg.valueFrom ? { name: q.arg.name, valueFrom: q.arg.valueFrom } : { name: q.arg.name, value: this.release.canary };
    return [
      { name: 'service', value: this.release.serviceName },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      canary,
    ];
  }

  /**
   * One metric per check, every interval from one interval after the start, failing the rollout
   * after `threshold` failures (failureLimit is the failures tolerated). No data (no requests yet)
   * is inconclusive, which pauses the rollout rather than failing it.
   */
  private analysisTemplate(sink: HostObjectSink, metadata: { name: string; namespace?: string }, a: AnalysisIntent): void {
    const q = QUERIES[this.target.mesh];
    const address = this.options.prometheusAddress ?? DEFAULT_PROMETHEUS[this.target.mesh];
    const window = argoDuration(a.interval);
    const metric = (name: string, query: string, pass: string, fail: string) => ({
      name,
      interval: window,
      initialDelay: window,
      failureLimit: a.threshold - 1,
      successCondition: `len(result) > 0 && result[0] ${pass}`,
      failureCondition: `len(result) > 0 && result[0] ${fail}`,
      provider: { prometheus: { address, query } },
    });
    sink.emit('AnalysisTemplate', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata,
      spec: {
        args: [{ name: 'service' }, { name: 'namespace' }, { name: q.arg.name }],
        metrics: [
          ...(a.successRate !== undefined ? [metric('request-success-rate', q.successRate(window), `>= ${a.successRate}`, `< ${a.successRate}`)] : []),
          ...(a.maxRequestDuration ? [metric('request-duration', q.duration(window), `<= ${a.maxRequestDuration.toMilliseconds()}`, `> ${a.maxRequestDuration.toMilliseconds()}`)] : []),
        ],
      },
    });
  }

  /** The rejections that name Argo Rollouts and the provider. */
  private checkRelease(): void {
    const r = this.release;
    const fail = (what: string, instead: string): never => cannotDrive(r, 'Delivery.argoRollouts()', this.target, what, instead);
    if (r.steps.filter(s => s < 100).length === 0) {
      fail(`roll out steps ${JSON.stringify(r.steps)}`, 'give at least one step below 100: the Rollout promotes after its last step');
    }
    if (r.matches.length > 0) {
      if (this.router === 'smi') fail('route by request headers', 'Argo Rollouts\' SMI router ignores setHeaderRoute; use Gateway API routing (LinkerdRoutingApi.GATEWAY_API) or drop canaryMatches');
      for (const m of r.matches) {
        if (m.path || m.method || m.queryParams.length > 0) {
          fail('route by path, method or query parameter (setHeaderRoute matches headers only)', 'match the canary\'s requests by header');
        }
        if (this.router === 'plugin' && m.headers.some(h => h.kind === 'prefix')) fail('match a header by prefix on Gateway API', 'use an exact or regex match');
        // Istio's header route ORs the headers (one HTTPMatchRequest each, istio.go createHeaderRoute);
        // the plugin ANDs them (one HTTPRouteMatch, httproute.go setHTTPHeaderRoute).
        if (this.router === 'istio' && m.headers.length > 1) {
          fail('require several headers at once (its Istio header route matches any one of them)', 'give one header per RequestMatch');
        }
      }
      if (this.router === 'plugin' && r.matches.length > 1) {
        fail('send requests that match any of several RequestMatches (the plugin\'s header route requires all their headers at once)', 'give one RequestMatch, with every header it requires');
      }
    }
    if (r.mirrorPercent !== undefined) {
      if (this.router !== 'istio') {
        fail('mirror requests', `only Argo Rollouts' Istio router mirrors (setMirrorRoute); ${this.router === 'smi' ? 'SMI has no mirroring' : `the ${GATEWAY_API_PLUGIN} plugin ignores setMirrorRoute`}: use Istio's own routing API, or drop mirrorPercent`);
      }
      if (!Number.isInteger(r.mirrorPercent)) fail(`mirror ${r.mirrorPercent}% of requests`, 'setMirrorRoute takes a whole percentage');
    }
    if (this.options.analysis && !(this.target.mesh in QUERIES)) {
      fail('analyse the canary with a mesh whose metrics it does not know', 'use MeshProvider.istio() or .linkerd() (Istio or Linkerd Prometheus queries), or drop analysis: steps then wait `pause`');
    }
  }

  /** Every field the controller writes in the objects emitted here, for Argo CD. */
  private owned(): ControllerOwnedField[] {
    const name = this.release.serviceName;
    const namespace = this.release.namespace;
    const managed = [
      ...(this.release.matches.length > 0 ? [HEADER_ROUTE] : []),
      ...(this.release.mirrorPercent !== undefined ? [MIRROR_ROUTE] : []),
    ];
    const out: ControllerOwnedField[] = [];
    if (this.router === 'istio') {
      out.push({
        group: 'networking.istio.io',
        kind: 'VirtualService',
        name,
        namespace,
        jqPathExpressions: ['.spec.http[].route[].weight', ...managed.map(m => `.spec.http[] | select(.name == "${m}")`)],
      });
      out.push({
        group: 'networking.istio.io',
        kind: 'DestinationRule',
        name,
        namespace,
        jsonPointers: [`/metadata/annotations/${escapePointer(MANAGED_BY)}`],
        jqPathExpressions: [`.spec.subsets[].labels["${HASH_LABEL}"]`],
      });
    } else {
      if (this.router === 'plugin') {
        out.push({
          group: 'gateway.networking.k8s.io',
          kind: 'HTTPRoute',
          name,
          namespace,
          jsonPointers: ['/metadata/labels/rollouts.argoproj.io~1gatewayapi-canary'],
          jqPathExpressions: ['.spec.rules[].backendRefs[].weight', ...managed.map(m => `.spec.rules[] | select(.name == "${m}")`)],
        });
      }
      for (const role of ROLES) {
        out.push({
          group: '',
          kind: 'Service',
          name: `${name}-${role}`,
          namespace,
          jsonPointers: [`/spec/selector/${HASH_LABEL}`, `/metadata/annotations/${escapePointer(MANAGED_BY)}`],
        });
      }
    }
    return out;
  }
}

/** `1m`, `30s`, `1h`: Argo Rollouts durations (pause, interval) are Go durations. */
function argoDuration(d: Duration): string {
  return goDuration(d);
}

/** One match as setHeaderRoute matches (headers only; checked before). */
function headerRouteMatch(m: MatchIntent): unknown[] {
  return m.headers.map(h => ({ headerName: h.name, headerValue: { [h.kind]: h.value } }));
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function withAnnotations(object: HostObject, annotations: Record<string, string>): HostObject {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...annotations } } };
}
