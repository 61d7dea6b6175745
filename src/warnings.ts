import { IConstruct } from 'constructs';
import { acknowledge, warningsUnder } from './private/warnings';

/**
 * A warning the library gave at synth: the construct, what is risky, and the id that
 * acknowledges it.
 */
export interface MeshWarning {
  /** The warning's id, e.g. `MeshWarnings.NON_IDEMPOTENT_RETRIES`. */
  readonly id: string;
  /** The path of the construct it is about. */
  readonly path: string;
  /** What is risky and what to do about it. */
  readonly message: string;
}

/**
 * Warnings: input that synthesizes but is risky. Each is recorded as metadata on its construct
 * and printed as one line (`[WARNING] <path>: <message> [<id>]`) when the app synthesizes.
 * Acknowledge one where you accept the risk, so it is neither listed nor printed. The library
 * never warns about its own defaults.
 */
export class MeshWarnings {
  /**
   * Retries on conditions that come after the server answered (`SERVER_ERROR`,
   * `GATEWAY_ERROR`, `RETRIABLE_4XX`), listed in `retryOn` on a route that is not limited to
   * idempotent methods: a retry may repeat a request the server already processed. Also
   * silenced by `retries.retryNonIdempotent: true`.
   */
  public static readonly NON_IDEMPOTENT_RETRIES = 'cdk8s-mesh:non-idempotent-retries';

  /**
   * A `StrictMtlsMigration` stage that weakens a mode an earlier stage set (STRICT back to
   * PERMISSIVE): fine for a rollback, a mistake in a plan.
   */
  public static readonly MTLS_PLAN_BACKWARDS = 'cdk8s-mesh:mtls-plan-backwards';

  /**
   * A `StrictMtlsMigration` plan (`stages`) whose last stage leaves a namespace, the mesh-wide
   * mode or a workload short of STRICT: the migration's end state should be STRICT. Port
   * exceptions do not count.
   */
  public static readonly MTLS_PLAN_NOT_STRICT = 'cdk8s-mesh:mtls-plan-not-strict';

  /**
   * Acknowledges warning `id` for `scope` and every construct under it: it is no longer listed
   * or printed. Call it before the app synthesizes.
   * @param scope a construct, a chart or the app
   * @param id the warning's id, e.g. `MeshWarnings.NON_IDEMPOTENT_RETRIES`
   * @param reason why the risk is accepted, for readers of the code
   */
  public static acknowledge(scope: IConstruct, id: string, reason?: string): void {
    acknowledge(scope, id, reason);
  }

  /**
   * The warnings recorded on `scope` and under it that are not acknowledged, in construct tree
   * order. E.g. fail a pipeline with `if (MeshWarnings.list(app).length > 0) process.exit(1)`.
   */
  public static list(scope: IConstruct): MeshWarning[] {
    return warningsUnder(scope).map(w => ({ ...w }));
  }

  private constructor() {}
}
