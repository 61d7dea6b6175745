import { App } from 'cdk8s';

/** A constructed program: synthesize it; count its constructs (for the report, unmeasured). */
export interface Built {
  synth(): void;
  constructs?(): number;
}

/** A cdk8s app: `app.synth()` writes one file per chart. */
export function built(app: App): Built {
  return {
    synth: () => app.synth(),
    constructs: () => app.node.findAll().length,
  };
}
