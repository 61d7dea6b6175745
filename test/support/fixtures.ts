import { Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ValidationTarget } from './validator';
import {
  AllowedRoutes, CanaryRelease, CanaryReleaseProps, CanaryVersion, GatewayApiBundle, GatewayApiVersion,
  GatewayBackend, GatewayImplementation, GatewayListener,
  GatewayRoute, HttpRetryOn, HttpRetryPolicy, IMesh, IngressGateway, IstioApiVersion, IstioRoutingApi, IstioVersion, LinkerdRoutingApi,
  LinkerdVersion, Mesh, MeshProvider, PathMatch, RequestMatch, SmiApiVersion, TlsCertificate,
} from '../../src';

/** What a provider configuration can express, so matrix cases ask each only for what it has. */
export interface Capabilities {
  /** routes on headers, paths, methods */
  readonly requestMatches: boolean;
  readonly mirror: boolean;
  /** a retry policy the provider can express; undefined when it has no retries */
  readonly retries?: HttpRetryPolicy;
  readonly timeout: boolean;
  /** fault injection */
  readonly fault?: boolean;
  /** circuit breaking: Istio's DestinationRule (all settings) or Linkerd's failure accrual */
  readonly circuitBreaker?: 'istio' | 'linkerd';
  /** mTLS modes and authorization policies (Istio's or Linkerd's own APIs) */
  readonly security: boolean;
  /**
   * Linkerd before 2.15 serves Server only as policy.linkerd.io/v1beta1 (deprecated in the newest
   * CRDs): validated against Linkerd 2.14's own CRDs through its profile, and checked by apiVersion
   */
  readonly legacyServer?: boolean;
  /** false: the target's Gateway API has no HTTPRoute timeouts for ingress routes */
  readonly ingressTimeout?: boolean;
}

const COUNTED_RETRIES: HttpRetryPolicy = { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.SERVER_ERROR] };
const BUDGET_RETRIES: HttpRetryPolicy = { retryOn: [HttpRetryOn.SERVER_ERROR], budget: { retryRatio: 0.25, minRetriesPerSecond: 5 } };
const ISTIO: Capabilities = { requestMatches: true, mirror: true, retries: COUNTED_RETRIES, timeout: true, fault: true, circuitBreaker: 'istio', security: true };
const GAMMA: Capabilities = { requestMatches: true, mirror: true, timeout: true, security: false };
const LINKERD: Capabilities = { requestMatches: true, mirror: false, retries: COUNTED_RETRIES, timeout: true, circuitBreaker: 'linkerd', security: true };
const SMI: Capabilities = { requestMatches: false, mirror: false, retries: BUDGET_RETRIES, timeout: true, security: true };

/**
 * The provider matrix: every provider configuration the library supports and what it can
 * express. Adding a provider means adding a row here.
 */
export const PROVIDERS: Record<string, { make: () => MeshProvider; caps: Capabilities }> = {
  'istio': { make: () => MeshProvider.istio(), caps: ISTIO },
  'istio-v1beta1': { make: () => MeshProvider.istio({ istioVersion: IstioVersion.of('1.20'), apiVersion: IstioApiVersion.V1BETA1 }), caps: ISTIO },
  'istio-1-24': { make: () => MeshProvider.istio({ istioVersion: IstioVersion.V1_24 }), caps: ISTIO },
  'istio-revision': { make: () => MeshProvider.istio({ revision: '1-24-0' }), caps: ISTIO },
  'istio-gateway-api': { make: () => MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }), caps: { ...GAMMA, circuitBreaker: 'istio', security: true } },
  // Gateway API v1.2 standard (what Istio 1.24 is built against): no mirror percent, no rule names
  'istio-gateway-api-1-24': {
    make: () => MeshProvider.istio({ istioVersion: IstioVersion.V1_24, routingApi: IstioRoutingApi.GATEWAY_API }),
    caps: { ...GAMMA, mirror: false, circuitBreaker: 'istio', security: true },
  },
  'istio-gateway-api-1-28-v1-3': {
    make: () => MeshProvider.istio({
      istioVersion: IstioVersion.V1_28, routingApi: IstioRoutingApi.GATEWAY_API, gatewayApiBundle: GatewayApiBundle.V1_3,
    }),
    caps: { ...GAMMA, circuitBreaker: 'istio', security: true },
  },
  'istio-gateway-api-experimental': {
    make: () => MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API, experimentalChannel: true }),
    caps: { ...GAMMA, circuitBreaker: 'istio', security: true, retries: { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.GATEWAY_ERROR] } },
  },
  'gateway-api': { make: () => MeshProvider.gatewayApi(), caps: GAMMA },
  'gateway-api-v1beta1': { make: () => MeshProvider.gatewayApi({ apiVersion: GatewayApiVersion.V1BETA1 }), caps: GAMMA },
  'gateway-api-v1-1': { make: () => MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_1 }), caps: { ...GAMMA, mirror: false, timeout: false, ingressTimeout: false } },
  'linkerd': { make: () => MeshProvider.linkerd(), caps: LINKERD },
  'linkerd-2-18': { make: () => MeshProvider.linkerd({ version: LinkerdVersion.V2_18 }), caps: LINKERD },
  'linkerd-2-15': {
    make: () => MeshProvider.linkerd({ version: LinkerdVersion.V2_15 }),
    caps: { ...LINKERD, retries: undefined, timeout: false },
  },
  'linkerd-policy': { make: () => MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.POLICY }), caps: LINKERD },
  'linkerd-policy-2-14': {
    make: () => MeshProvider.linkerd({ version: LinkerdVersion.V2_14, routingApi: LinkerdRoutingApi.POLICY }),
    caps: { ...LINKERD, retries: undefined, legacyServer: true },
  },
  'linkerd-smi': { make: () => MeshProvider.linkerd({ version: LinkerdVersion.V2_14, routingApi: LinkerdRoutingApi.SMI }), caps: { ...SMI, legacyServer: true } },
  'linkerd-smi-v1alpha2': {
    make: () => MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.SMI, smiApiVersion: SmiApiVersion.V1ALPHA2 }),
    caps: SMI,
  },
};

/** The validator profile of each release a configuration can target (../shared/crds/versions/). */
const ISTIO_PROFILES: Record<number, string> = { 22: '1.22.8', 24: '1.24.6', 26: '1.26.8', 28: '1.28.10' };
const LINKERD_PROFILES: Record<number, string> = {
  14: 'stable-2.14.10', 15: 'edge-24.2.4', 16: 'edge-24.8.2', 17: 'edge-24.11.8', 18: 'edge-25.4.4', 19: 'edge-25.10.7', 20: 'edge-26.6.3',
};
const GATEWAY_API_PROFILES: Record<number, string> = { 0: 'v1.0.0', 1: 'v1.1.1', 2: 'v1.2.1', 3: 'v1.3.0', 4: 'v1.4.1', 5: 'v1.5.1', 6: 'default' };

/**
 * What a provider configuration's output is validated against: the profiles of the releases it
 * targets (Istio 1.30 and 1.31 use the bundle's Istio 1.30.3 CRDs, the newest there are; Istio
 * before 1.22 uses 1.22.8's, which still serve v1beta1).
 */
export function validationTargetOf(provider: string): ValidationTarget {
  return validationTargetFor(PROVIDERS[provider].make());
}

/** The same for any provider configuration (one outside the matrix too). */
export function validationTargetFor(provider: MeshProvider): ValidationTarget {
  const t = provider._renderers.target;
  const profiles: string[] = [`gateway-api@${GATEWAY_API_PROFILES[t.gatewayApi]}`];
  if (t.istio !== undefined) profiles.push(`istio@${t.istio >= 30 ? 'default' : ISTIO_PROFILES[Math.max(22, t.istio - (t.istio % 2))]}`);
  if (t.linkerd !== undefined) profiles.push(`linkerd@${LINKERD_PROFILES[t.linkerd]}`);
  return { profiles, channel: t.gatewayApiChannel };
}

export function meshOf(provider: string) {
  return Mesh.fromAttributes({ provider: PROVIDERS[provider].make() });
}

export function capsOf(provider: string): Capabilities {
  return PROVIDERS[provider].caps;
}

/** The seeds' bookinfo `reviews` canary (v1 90 %, v2 10 %, `end-user: jason` to v2 where the provider matches headers). */
export function reviewsCanary(provider: string, overrides: Partial<CanaryReleaseProps> = {}): CanaryReleaseProps {
  return {
    mesh: meshOf(provider),
    serviceName: 'reviews',
    port: 9080,
    stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
    canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
    steps: [10, 25, 50, 100],
    currentStep: 0,
    canaryMatches: capsOf(provider).requestMatches ? [RequestMatch.header('end-user', 'jason')] : undefined,
    ...overrides,
  };
}

/** A service `name` of a large program: a two-version release (images registry.example.com/<name>:1 and :2), steps 10, 50, 100. */
export function twoVersionRelease(scope: Construct, name: string, mesh: IMesh, overrides: Partial<CanaryReleaseProps> = {}): CanaryRelease {
  return new CanaryRelease(scope, name, {
    mesh,
    serviceName: name,
    port: 8080,
    stable: CanaryVersion.deploy({ name: 'v1', image: `registry.example.com/${name}:1` }),
    canary: CanaryVersion.deploy({ name: 'v2', image: `registry.example.com/${name}:2` }),
    steps: [10, 50, 100],
    currentStep: 0,
    ...overrides,
  });
}

export function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

export function ofKind(manifests: any[], kind: string): any[] {
  return manifests.filter(m => m.kind === kind);
}

export function one(manifests: any[], kind: string, name?: string): any {
  const found = ofKind(manifests, kind).filter(m => name === undefined || m.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

/**
 * The seeds' bookinfo ingress, written once for every provider: an HTTP listener that
 * redirects, an HTTPS listener with a cert-manager certificate, the productpage paths, the
 * reviews canary split at the gateway, a rewrite, header changes and a timeout.
 */
export function bookinfoIngress(c: Chart, provider: string): void {
  const mesh = meshOf(provider);
  const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  const gateway = new IngressGateway(c, 'bookinfo-gateway', {
    mesh,
    implementation: GatewayImplementation.istio(),
    allowedRoutes: AllowedRoutes.allNamespaces(),
    listeners: [
      GatewayListener.http({ redirectToHttps: true }),
      GatewayListener.https({
        hostname: 'bookinfo.example.com',
        certificate: TlsCertificate.certManager({ secretName: 'bookinfo-tls', issuerName: 'letsencrypt' }),
      }),
    ],
  });
  new GatewayRoute(c, 'bookinfo', {
    gateway,
    hostnames: ['bookinfo.example.com'],
    rules: [
      {
        name: 'productpage',
        matches: ['/productpage', '/login', '/logout'].map(p => RequestMatch.of({ path: PathMatch.exact(p) }))
          .concat(['/static', '/api/v1/products'].map(p => RequestMatch.pathPrefix(p))),
        backends: [GatewayBackend.service('productpage', 9080)],
        timeout: Duration.seconds(15),
      },
      {
        name: 'reviews',
        matches: [RequestMatch.pathPrefix('/reviews')],
        rewrite: { pathPrefix: '/' },
        requestHeaders: { set: { 'x-forwarded-by': 'bookinfo-gateway' } },
        responseHeaders: { remove: ['server'] },
        backends: [GatewayBackend.canary(reviews)],
      },
    ],
  });
}

/**
 * The objects of a chart and of the charts nested in it (an install's mesh-wide configuration is
 * a chart of its own with Flux), in synthesis order.
 */
export function synthAll(c: Chart): any[] {
  const charts = [c, ...c.node.findAll().filter((x): x is Chart => x instanceof Chart && x !== c)];
  return charts.flatMap(x => Testing.synth(x));
}
