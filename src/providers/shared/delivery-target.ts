/**
 * What a provider configuration offers a delivery controller (Flagger, Argo Rollouts): which mesh
 * and routing API carry the host, at which versions, and the provider's own traffic renderer for
 * what the controller leaves to the mesh. Each provider's options.ts describes itself once here.
 */
import { DeliveryOptionsIntent, DeliveryReleaseIntent } from '../../model/delivery-intent';
import { HostIntent, RouteIntent } from '../../model/intents';
import { HostObject, HostObjectSink, TrafficRenderer } from '../../model/renderer';
import { invalid } from '../../private/errors';

export interface DeliveryTarget {
  /** e.g. "Istio 1.31 (networking.istio.io/v1)", named in errors beside the engine */
  readonly displayName: string;
  /** whose metrics exist: Istio's, Linkerd's, or none known (any GAMMA mesh) */
  readonly mesh: 'istio' | 'linkerd' | 'gateway-api';
  /** the routing API the host is rendered through */
  readonly routing: 'istio' | 'gamma' | 'linkerd-policy' | 'smi';
  /** Istio ambient mode (waypoints) */
  readonly ambient?: boolean;
  /** `v1` or `v1beta1`: the HTTPRoute version (gamma) */
  readonly gatewayApiVersion?: string;
  /** the TrafficSplit version (smi) */
  readonly smiApiVersion?: string;
  /** networking.istio.io version, for the DestinationRules a controller leaves to us */
  readonly istioNetworking?: string;
  /** the provider's traffic renderer */
  readonly traffic: TrafficRenderer;
}

/** Flux applies an object once and never again: for objects whose fields a controller moves. */
export const FLUX_CREATE_ONLY: Record<string, string> = { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' };

/** The release's error for an engine that cannot drive it, naming both. */
export function cannotDrive(release: DeliveryReleaseIntent, engine: string, target: DeliveryTarget, what: string, instead: string): never {
  invalid(release.source, 'delivery', engine, `an engine that can drive ${target.displayName}: ${engine} cannot ${what}; ${instead}`);
}

/** The objects a renderer emits, captured instead of placed, with the Service metadata it asks for. */
export interface Captured {
  readonly objects: Map<string, HostObject>;
  readonly serviceMetadata: { labels: Record<string, string>; annotations: Record<string, string> };
}

/** Renders `host` with `renderer` into memory. */
export function capture(renderer: TrafficRenderer, host: HostIntent): Captured {
  const captured: Captured = { objects: new Map(), serviceMetadata: { labels: {}, annotations: {} } };
  const sink: HostObjectSink = {
    emit: (id, object) => { captured.objects.set(id, object); },
    addToService: (_feature, metadata) => {
      Object.assign(captured.serviceMetadata.labels, metadata.labels ?? {});
      Object.assign(captured.serviceMetadata.annotations, metadata.annotations ?? {});
    },
  };
  renderer.render(sink, host);
  return captured;
}

/** The host's default (unmatched) route: where a controller moves the weights. */
export function defaultRoute(host: HostIntent): RouteIntent | undefined {
  return host.routes.find(r => r.matches.length === 0);
}

/** Engines that take over a release; `steps` never reaches a provider. */
export type EngineIntent = Exclude<DeliveryOptionsIntent, { engine: 'steps' }>;
