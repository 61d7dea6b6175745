/**
 * Issue 13: no input crashes the library or slips through. Every entry point gets, one prop at a
 * time, every wrong value a plain-JS (or jsii) caller can pass: left out, null, the wrong type,
 * NaN, Infinity, negative, empty, 300 characters, unicode, upper case, duplicates. Each must raise
 * an Error that names the construct path (or the static factory) — never a TypeError, never output.
 * Then fast-check combines several wrong props at once: each is reported, in one error.
 */
import * as fc from 'fast-check';
import { show } from '../../src/private/errors';
import { allCases, BAD, ENTRY_POINTS, Field, mayAccept, OMIT, outcome, Outcome, withValue } from '../support/entry-points';

const SEED = Number(process.env.FC_SEED ?? 13013);

describe('invalid inputs (every entry point, every prop, every wrong kind of value)', () => {
  const cases = allCases();
  const results = cases.map(c => ({ ...c, ...outcome(c.entry, withValue(c.entry.props(), c.path, c.value)) }));
  const count = (o: Outcome) => results.filter(r => r.outcome === o && !(o === 'accepted' && mayAccept(r.field, r.value))).length;
  const describeCase = (r: typeof results[number]) => `${r.entry.name} ${r.path} = ${r.value === OMIT ? '(left out)' : show(r.value)}: ${r.message ?? 'accepted'}`;

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`invalid-input cases: ${cases.length} over ${ENTRY_POINTS.length} entry points and `
      + `${ENTRY_POINTS.reduce((n, e) => n + Object.keys(e.fields).length, 0)} props; rejected with a path: ${count('ok')}, `
      + `TypeErrors: ${count('type-error')}, errors without a path: ${count('no-path')}, silently accepted: ${count('accepted')}`);
  });

  test('every baseline call is valid', () => {
    for (const entry of ENTRY_POINTS) {
      expect([entry.name, outcome(entry, entry.props())]).toEqual([entry.name, { outcome: 'accepted' }]);
    }
  });

  test('no TypeError', () => {
    expect(results.filter(r => r.outcome === 'type-error').map(describeCase)).toEqual([]);
  });

  test('no error without the construct path or the factory', () => {
    expect(results.filter(r => r.outcome === 'no-path').map(describeCase)).toEqual([]);
  });

  test('no wrong value accepted', () => {
    expect(results.filter(r => r.outcome === 'accepted' && !mayAccept(r.field, r.value)).map(describeCase)).toEqual([]);
  });

  test('every message has the one error shape: <where>: \'<prop>\' (<value>) must be <rule>', () => {
    const shape = /^(test\/[\w/-]+|[A-Z]\w*\.\w+): '[^']+' \(.*\) must be .+$/;
    const odd = results.filter(r => r.outcome === 'ok' && !r.message!.split('\n').every(l => shape.test(l)));
    expect(odd.map(describeCase)).toEqual([]);
  });

  test('several wrong props at once: every one reported, in one error (fast-check)', () => {
    // constructs and factories that take their props directly: each wrong top-level prop is a line
    const direct = ENTRY_POINTS.filter(e => !e.name.includes('.') || e.name.startsWith('MeshProvider.'))
      .map(e => ({ entry: e, fields: Object.entries(e.fields).filter(([path]) => !path.includes('.')) }))
      .filter(e => e.fields.length >= 2);
    const arbitrary = fc.constantFrom(...direct).chain(({ entry, fields }) =>
      fc.tuple(fc.constant(entry.name), fc.uniqueArray(fc.constantFrom(...fields), { minLength: 2, maxLength: 4, selector: ([p]) => p })
        .chain(picked => fc.tuple(...picked.map(([path, field]) =>
          fc.tuple(fc.constant(path), fc.constantFrom(...BAD[(field as Field).kind].filter(v => v !== null))))))));
    let runs = 0;
    fc.assert(fc.property(arbitrary, ([name, picks]) => {
      runs++;
      const entry = ENTRY_POINTS.find(e => e.name === name)!;
      const props = picks.reduce((p, [path, value]) => withValue(p, path, value), entry.props());
      const r = outcome(entry, props);
      expect(r.outcome).toBe('ok');
      const lines = r.message!.split('\n');
      const missing = picks.filter(([path]) => !lines.some(l => l.includes(`'${path}`))).map(([path]) => path);
      expect({ missing, message: r.message }).toEqual({ missing: [], message: r.message });
    }), { seed: SEED, numRuns: 300, verbose: true });
    expect(runs).toBe(300);
  });
});
