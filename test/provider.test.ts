import { GatewayApiVersion, IstioRoutingApi, MeshProvider } from '../src';

describe('MeshProvider', () => {
  test('names', () => {
    expect(MeshProvider.istio().name).toBe('istio');
    expect(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }).name).toBe('istio');
    expect(MeshProvider.gatewayApi().name).toBe('gateway-api');
  });

  test('equal options are the same provider configuration; different ones are not', () => {
    expect(MeshProvider.istio()._renderers.key).toBe(MeshProvider.istio()._renderers.key);
    expect(MeshProvider.istio()._renderers.key).not.toBe(MeshProvider.istio({ revision: 'canary' })._renderers.key);
    expect(MeshProvider.gatewayApi()._renderers.key).not.toBe(MeshProvider.gatewayApi({ apiVersion: GatewayApiVersion.V1BETA1 })._renderers.key);
  });

  test('the routing API is its own axis: Istio through Gateway API uses HTTPRoute', () => {
    expect(MeshProvider.istio()._renderers.traffic.displayName).toBe('Istio (networking.istio.io/v1)');
    expect(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API })._renderers.traffic.displayName)
      .toBe('Istio (gateway.networking.k8s.io/v1 HTTPRoute)');
    expect(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API })._renderers.dataPlane.displayName).toBe('Istio');
  });

  test('rejects an invalid revision', () => {
    expect(() => MeshProvider.istio({ revision: '1.24.0' }))
      .toThrow(/MeshProvider.istio: 'revision' \("1.24.0"\) must be a DNS-1123 label, e.g. "1-24-0" or "stable"/);
  });
});
