import { HostIntent } from './intents';
import { HostObject, TrafficRenderer } from './renderer';

/** One object a renderer emitted for a host, as plain data. */
export interface PlainHostObject {
  /** the construct id the host gives it (`Resource` for the routing object, else the kind) */
  readonly id: string;
  /** one copy serves several hosts (a namespace's waypoint) */
  readonly shared: boolean;
  /** the object as cdk8s writes it: keys sorted, empty values dropped, apiVersion/kind/metadata first */
  readonly manifest: Record<string, unknown>;
}

/**
 * Renders a host's intent into plain objects, without creating constructs or registering owners:
 * what the host would emit for that intent (a rollout plan renders every step of a release this
 * way). Renderers are deterministic, and the bookkeeping some keep per host (an ambient host's
 * routing API) is keyed by the host, so rendering the same host again changes nothing.
 * `addToService` is not collected: it labels the host's Service, the same at every step.
 * @param labels the chart's labels, which cdk8s puts on every object of the chart
 */
export function renderPlain(renderer: TrafficRenderer, intent: HostIntent, labels: Record<string, string> = {}): PlainHostObject[] {
  const out: PlainHostObject[] = [];
  renderer.render({
    emit: (id, object, shared) => {
      if (out.some(o => o.id === id)) return;
      out.push({ id, shared: shared ?? false, manifest: asManifest(object, labels) });
    },
    addToService: () => undefined,
  }, intent);
  return out;
}

/** The object as cdk8s's ApiObject.toJson() would write it (without escape-hatch patches). */
function asManifest(object: HostObject, labels: Record<string, string>): Record<string, unknown> {
  const metadata = sanitize({ ...object.metadata, labels: { ...labels, ...object.metadata.labels } }, true);
  const clean = sanitize({ ...object, metadata }) as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(clean)]) {
    if (k in clean && !(k in ordered)) ordered[k] = clean[k];
  }
  return ordered;
}

/** cdk8s's rules: keys sorted, null and undefined dropped; in metadata, empty maps and lists too. */
function sanitize(value: unknown, dropEmpty = false): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return dropEmpty && value.length === 0 ? undefined : value.map(v => sanitize(v, dropEmpty));
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object).sort()) {
    const v = sanitize((value as Record<string, unknown>)[key], dropEmpty);
    if (v !== undefined) out[key] = v;
  }
  return dropEmpty && Object.keys(out).length === 0 ? undefined : out;
}
