/**
 * Loaded before every test file (jest `setupFiles`): the lines the library prints for warnings
 * go to a list that tests read with `printedWarnings()`, so the suite's output stays quiet.
 */
import { setWarningPrinter } from '../../src/private/warnings';

const lines: string[] = [];
setWarningPrinter(line => lines.push(line));

/** The warning lines printed so far in this test file; `clear` empties the list. */
export function printedWarnings(clear = false): string[] {
  const out = [...lines];
  if (clear) lines.length = 0;
  return out;
}
