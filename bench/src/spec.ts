/**
 * The benchmark's program: N services, each with a canary release (2 versions, a header route), a
 * circuit breaker, a route policy (retries + timeout), STRICT mTLS per namespace and an allow rule;
 * 10 services per namespace. Three programs write it (the library, the hand-written cdk8s
 * equivalent, plain objects) and must produce the same objects.
 */
export type Provider = 'istio' | 'istio-ambient' | 'linkerd';
export type Layout = 'one-chart' | 'chart-per-namespace';
export type Variant = 'library' | 'handwritten' | 'plain';

export const PROVIDERS: Provider[] = ['istio', 'istio-ambient', 'linkerd'];
export const LAYOUTS: Layout[] = ['one-chart', 'chart-per-namespace'];
export const VARIANTS: Variant[] = ['library', 'handwritten', 'plain'];

export const SERVICES_PER_NAMESPACE = 10;
export const PORT = 8080;
/** The id of the chart in the one-chart layout (its file is `<id>.k8s.yaml`). */
export const ONE_CHART = 'mesh';

export interface Case {
  readonly provider: Provider;
  readonly layout: Layout;
  readonly services: number;
}

export interface Service {
  readonly name: string;
  readonly namespace: string;
  /** the index of the canary step in force (steps 5, 25, 50, 100) */
  readonly step: number;
}

export const STEPS = [5, 25, 50, 100];

export function servicesOf(n: number): Service[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `svc${i}`,
    namespace: `ns${Math.floor(i / SERVICES_PER_NAMESPACE)}`,
    step: i % 3,
  }));
}

/** The namespaces in order, each with its services. */
export function namespacesOf(n: number): Map<string, Service[]> {
  const byNamespace = new Map<string, Service[]>();
  for (const s of servicesOf(n)) {
    const list = byNamespace.get(s.namespace) ?? [];
    list.push(s);
    byNamespace.set(s.namespace, list);
  }
  return byNamespace;
}

/** The chart (and file) a namespace's objects go to. */
export function chartIdOf(layout: Layout, namespace: string): string {
  return layout === 'one-chart' ? ONE_CHART : namespace;
}

export function caseName(c: Case): string {
  return `${c.provider}/${c.layout}/${c.services}`;
}
