import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';

/**
 * CPU and memory for a workload's mesh proxy (the sidecar).
 *
 * The defaults are sized for production, not for a demo: the seeds' Black-Friday outage came
 * from Envoy limited to 128Mi while it needed over 400Mi at peak. A 1Gi limit leaves headroom
 * for that; the 256Mi request lets the scheduler see the proxy's steady state.
 */
export interface ProxyResources {
  /**
   * CPU the proxy requests.
   * @default Cpu.millis(100)
   */
  readonly cpuRequest?: Cpu;

  /**
   * CPU limit of the proxy.
   * @default Cpu.millis(2000)
   */
  readonly cpuLimit?: Cpu;

  /**
   * Memory the proxy requests.
   * @default Size.mebibytes(256)
   */
  readonly memoryRequest?: Size;

  /**
   * Memory limit of the proxy.
   * @default Size.gibibytes(1)
   */
  readonly memoryLimit?: Size;
}
