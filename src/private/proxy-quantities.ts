import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { ProxyQuantities } from '../model/intents';
import { ProviderRenderers } from '../model/renderer';
import { ProxyResources } from '../proxy';

/** Validates proxy resources and renders them as quantities (defaults filled in). */
export function proxyQuantities(scope: IConstruct, prop: string, r?: ProxyResources): ProxyQuantities {
  // the defaults, for most workloads: computed once
  if (r === undefined) return DEFAULTS ??= Object.freeze(quantities(scope, prop, {}));
  return quantities(scope, prop, r);
}

let DEFAULTS: ProxyQuantities | undefined;

function quantities(scope: IConstruct, prop: string, r: ProxyResources): ProxyQuantities {
  const cpuRequest = r.cpuRequest ?? Cpu.millis(100);
  const cpuLimit = r.cpuLimit ?? Cpu.millis(2000);
  const memoryRequest = r.memoryRequest ?? Size.mebibytes(256);
  const memoryLimit = r.memoryLimit ?? Size.gibibytes(1);
  const cpu = (c: Cpu, p: string) => {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(c.amount);
    const millis = m ? Number(m[1]) * (m[2] ? 1 : 1000) : NaN;
    if (!(millis > 0)) invalid(scope, `${prop}.${p}`, c.amount, 'a positive CPU quantity');
    return millis;
  };
  const kib = (s: Size, p: string) => {
    const v = s.toKibibytes({ rounding: SizeRoundingBehavior.FAIL });
    if (!(v > 0)) invalid(scope, `${prop}.${p}`, v, 'a positive memory size');
    return v;
  };
  if (cpu(cpuRequest, 'cpuRequest') > cpu(cpuLimit, 'cpuLimit')) {
    invalid(scope, `${prop}.cpuRequest`, cpuRequest.amount, `at most the CPU limit (${cpuLimit.amount})`);
  }
  if (kib(memoryRequest, 'memoryRequest') > kib(memoryLimit, 'memoryLimit')) {
    invalid(scope, `${prop}.memoryRequest`, memoryQuantity(memoryRequest), `at most the memory limit (${memoryQuantity(memoryLimit)})`);
  }
  return {
    cpuRequest: cpuRequest.amount,
    cpuLimit: cpuLimit.amount,
    memoryRequest: memoryQuantity(memoryRequest),
    memoryLimit: memoryQuantity(memoryLimit),
  };
}

export function memoryQuantity(s: Size): string {
  const kib = s.toKibibytes({ rounding: SizeRoundingBehavior.FAIL });
  if (kib % (1024 * 1024) === 0) return `${kib / 1024 / 1024}Gi`;
  if (kib % 1024 === 0) return `${kib / 1024}Mi`;
  return `${kib}Ki`;
}

/**
 * A data plane whose workloads take `defaults` (an install's proxy sizing) unless they set their
 * own: the install's Helm values size proxies the injector adds, and the pod annotations a
 * workload carries must say the same, not the library's defaults.
 */
export function withProxyDefaults(renderers: ProviderRenderers, defaults: ProxyQuantities): ProviderRenderers {
  const dataPlane = renderers.dataPlane;
  return {
    ...renderers,
    dataPlane: {
      displayName: dataPlane.displayName,
      podMetadata: spec => dataPlane.podMetadata(spec.proxyExplicit ? spec : { ...spec, proxy: defaults }),
      servicePort: protocol => dataPlane.servicePort(protocol),
    },
  };
}
