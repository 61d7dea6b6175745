import { IConstruct } from 'constructs';

/** Metadata type of a warning recorded on a construct; its data is a `WarningEntry`. */
export const WARNING_METADATA = 'cdk8s-mesh:warning';
/** Metadata type of an acknowledgement; its data is `{ id, reason }`. */
export const ACKNOWLEDGE_METADATA = 'cdk8s-mesh:acknowledge';

export interface WarningEntry {
  readonly id: string;
  readonly path: string;
  readonly message: string;
}

/** Where printed warnings go: standard error, one line each. Tests divert it (test/support). */
let printer: (line: string) => void = line => process.stderr.write(`${line}\n`);

/** @internal for tests: diverts printed warnings; returns the previous printer. */
export function setWarningPrinter(p: (line: string) => void): (line: string) => void {
  const prev = printer;
  printer = p;
  return prev;
}

const printed = new WeakSet<WarningEntry>();
const withPrinter = new WeakSet<IConstruct>();

/**
 * A synth-time warning with an id the user can acknowledge (`MeshWarnings.acknowledge`). It is
 * recorded as construct metadata at once, and printed as one line, once, when the app validates
 * (`app.synth()`, `Testing.synth()`) unless the construct or one of its scopes acknowledged it by
 * then. cdk8s 2.70 has no warning channel of its own (no `Annotations`). Synthesis goes on.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  const entry: WarningEntry = { id, path: scope.node.path, message };
  scope.node.addMetadata(WARNING_METADATA, entry);
  if (withPrinter.has(scope)) return;
  withPrinter.add(scope);
  scope.node.addValidation({
    validate: () => {
      for (const w of ownWarnings(scope)) {
        if (printed.has(w) || isAcknowledged(scope, w.id)) continue;
        printed.add(w);
        printer(`[WARNING] ${w.path}: ${w.message} [${w.id}]`);
      }
      return [];
    },
  });
}

export function acknowledge(scope: IConstruct, id: string, reason: string | undefined): void {
  scope.node.addMetadata(ACKNOWLEDGE_METADATA, { id, reason });
}

export function isAcknowledged(scope: IConstruct, id: string): boolean {
  return scope.node.scopes.some(s => s.node.metadata.some(m => m.type === ACKNOWLEDGE_METADATA && m.data.id === id));
}

export function ownWarnings(scope: IConstruct): WarningEntry[] {
  return scope.node.metadata.filter(m => m.type === WARNING_METADATA).map(m => m.data as WarningEntry);
}

/** The warnings recorded on `scope` and below that no scope has acknowledged, in tree order. */
export function warningsUnder(scope: IConstruct): WarningEntry[] {
  return scope.node.findAll().flatMap(c => ownWarnings(c).filter(w => !isAcknowledged(c, w.id)));
}
