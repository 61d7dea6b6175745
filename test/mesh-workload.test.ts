import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MeshWorkload, MeshWorkloadProps } from '../src';
import { chart, meshOf, one } from './support/fixtures';

const props = (provider: string, overrides: Partial<MeshWorkloadProps> = {}): MeshWorkloadProps => ({
  mesh: meshOf(provider),
  serviceName: 'checkout',
  version: 'v1',
  image: 'shop/checkout:1.4.2',
  port: 8080,
  ...overrides,
});

describe('MeshWorkload', () => {
  test('Istio: injection label, production-sized proxy, own identity, named http port', () => {
    const c = chart('shop');
    const w = new MeshWorkload(c, 'checkout', props('istio', { env: { B: '2', A: '1' }, replicas: 3 }));
    const out = Testing.synth(c);
    const d = one(out, 'Deployment');
    expect(d.metadata).toMatchObject({ name: 'checkout-v1', namespace: 'shop', labels: { app: 'checkout', version: 'v1' } });
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.metadata.labels).toMatchObject({ 'app': 'checkout', 'version': 'v1', 'sidecar.istio.io/inject': 'true' });
    expect(d.spec.template.metadata.annotations).toEqual({
      'sidecar.istio.io/proxyCPU': '100m',
      'sidecar.istio.io/proxyCPULimit': '2000m',
      'sidecar.istio.io/proxyMemory': '256Mi',
      'sidecar.istio.io/proxyMemoryLimit': '1Gi',
    });
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: 'checkout',
      image: 'shop/checkout:1.4.2',
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
    });
    expect(one(out, 'ServiceAccount').metadata).toMatchObject({ name: 'checkout-v1', namespace: 'shop' });
    expect(d.spec.template.spec.serviceAccountName).toBe('checkout-v1');
    expect(w.selectorLabels).toEqual({ app: 'checkout', version: 'v1' });
  });

  test('proxy resources are configurable', () => {
    const c = chart();
    new MeshWorkload(c, 'checkout', props('istio', {
      proxy: {
        cpuRequest: kplus.Cpu.millis(250),
        cpuLimit: kplus.Cpu.units(1),
        memoryRequest: Size.mebibytes(512),
        memoryLimit: Size.kibibytes(1536 * 1024 + 512),
      },
    }));
    expect(one(Testing.synth(c), 'Deployment').spec.template.metadata.annotations).toEqual({
      'sidecar.istio.io/proxyCPU': '250m',
      'sidecar.istio.io/proxyCPULimit': '1',
      'sidecar.istio.io/proxyMemory': '512Mi',
      'sidecar.istio.io/proxyMemoryLimit': '1573376Ki',
    });
  });

  test('the opt-out for high-fan-out services: sidecar.istio.io/inject "false" and no proxy settings', () => {
    const c = chart();
    new MeshWorkload(c, 'checkout', props('istio', { meshed: false }));
    const tpl = one(Testing.synth(c), 'Deployment').spec.template.metadata;
    expect(tpl.labels['sidecar.istio.io/inject']).toBe('false');
    expect(tpl.annotations).toBeUndefined();
  });

  test('a shared identity can be passed in', () => {
    const c = chart();
    const sa = new kplus.ServiceAccount(c, 'sa', { metadata: { name: 'checkout' } });
    new MeshWorkload(c, 'checkout', props('istio', { serviceAccount: sa }));
    expect(one(Testing.synth(c), 'Deployment').spec.template.spec.serviceAccountName).toBe('checkout');
  });

  describe('rejects', () => {
    const reject = (overrides: Partial<MeshWorkloadProps>, message: RegExp, provider = 'istio') =>
      expect(() => new MeshWorkload(chart(), 'w', props(provider, overrides))).toThrow(message);

    test('a proxy CPU request above its limit', () => {
      reject({ proxy: { cpuRequest: kplus.Cpu.units(3) } }, /^test\/w: 'proxy.cpuRequest' \("3"\) must be at most the CPU limit \(2000m\)/);
    });
    test('a proxy memory request above its limit', () => {
      reject({ proxy: { memoryRequest: Size.gibibytes(2), memoryLimit: Size.mebibytes(512) } },
        /^test\/w: 'proxy.memoryRequest' \("2Gi"\) must be at most the memory limit \(512Mi\)/);
    });
    test('a zero proxy CPU', () => {
      reject({ proxy: { cpuRequest: kplus.Cpu.millis(0) } }, /'proxy.cpuRequest' \("0m"\) must be a positive CPU quantity/);
    });
    test('a zero proxy memory', () => {
      reject({ proxy: { memoryRequest: Size.mebibytes(0) } }, /'proxy.memoryRequest' \(0\) must be a positive memory size/);
    });
    test('an invalid service name', () => {
      reject({ serviceName: 'Check_out' }, /'serviceName' \("Check_out"\) must be a DNS-1035 label/);
    });
    test('an invalid version', () => {
      reject({ version: 'V1.0' }, /'version' \("V1.0"\) must be a DNS-1123 label/);
    });
    test('an invalid port', () => {
      reject({ port: 0 }, /'port' \(0\) must be an integer in 1..65535/);
    });
    test('an invalid Deployment name', () => {
      reject({ name: 'Checkout.V1' }, /'name' \("Checkout.V1"\) must be a DNS-1123 label/);
    });
    test('negative replicas', () => {
      reject({ replicas: -1 }, /'replicas' \(-1\) must be a non-negative integer/);
    });
    test('an empty image', () => {
      reject({ image: ' ' }, /'image' \(" "\) must be a non-empty image reference/);
    });
    test('proxy resources on plain Gateway API', () => {
      reject({ proxy: { cpuRequest: kplus.Cpu.millis(50) } },
        /^test\/w: Gateway API \(any GAMMA mesh\) cannot express proxy resources; choose the mesh/, 'gateway-api');
    });
    test('a mesh opt-out on plain Gateway API', () => {
      reject({ meshed: false }, /^test\/w: Gateway API \(any GAMMA mesh\) cannot express a per-workload mesh opt-out/, 'gateway-api');
    });
  });
});
