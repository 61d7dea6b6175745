import fc from 'fast-check';
import { parse } from 'yaml';
import { blockYaml } from '../../src/private/block-yaml';

// What a reader on either side of the plan sees: cdk8s writes YAML 1.1, kubectl/Argo CD/Flux read 1.2.
const read = (text: string, version: '1.1' | '1.2') => parse(text, { version });

// Strings each schema reads as something other than a string if written plain.
const TRICKY = [
  '', ' ', 'yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'False', 'null', 'Null', '~', '0', '010', '0x1F', '1e3', '1_000',
  '.inf', '-.inf', '.NaN', '12:30', '1:20:00', '2026-12-06', '-', '- a', 'a: b', 'a #b', '#x', '&a', '*a', '!t', '|', '>',
  '%x', '@x', '`x', '"q"', "'q'", '{a}', '[a]', 'a,b', '?', 'x\ny', 'tab\there', 'trailing ', ' leading', 'é', '🚀',
  'registry.example.com/reviews:1.0.0', 'kubernetes.io/h2c', '10s', '5xx,reset', 'gateway-error', 'x-canary', '/api/v3',
  '^/v[0-9]+$', 'e0', 'E-5', '\\', '\u0007', '<<', '=', 'a=b',
];

describe('blockYaml', () => {
  test('reads back as the same object under YAML 1.1 and 1.2 (random objects)', () => {
    const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...TRICKY));
    const leaf = fc.oneof(
      fc.string({ maxLength: 12 }), fc.constantFrom(...TRICKY), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(), fc.constant(null),
    );
    const { tree } = fc.letrec(tie => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('tree'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
    }));
    fc.assert(fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), docs => {
      const text = blockYaml(...docs);
      const parts = text.split(/^---\n/m);
      expect(parts).toHaveLength(docs.length);
      for (const version of ['1.1', '1.2'] as const) {
        // -0 is written 0 by every YAML writer
        parts.forEach((p, i) => expect(read(p, version)).toEqual(JSON.parse(JSON.stringify(docs[i]))));
      }
    }), { numRuns: 3000, seed: 18 });
  });

  test('every tricky string, as a key and as a value', () => {
    for (const s of TRICKY) {
      const doc = { [s]: s, list: [s, { [s]: [s] }] };
      for (const version of ['1.1', '1.2'] as const) expect(read(blockYaml(doc), version)).toEqual(doc);
    }
  });

  test('block style a reviewer reads: lists indented under their key, map items after the dash', () => {
    expect(blockYaml({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', labels: {} },
      spec: { hosts: ['reviews'], http: [{ match: [{ headers: { 'x-canary': { exact: 'true' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }], list: [[1, 2], []] },
    })).toBe([
      'apiVersion: networking.istio.io/v1',
      'kind: VirtualService',
      'metadata:',
      '  name: reviews',
      '  labels: {}',
      'spec:',
      '  hosts:',
      '    - reviews',
      '  http:',
      '    - match:',
      '        - headers:',
      '            x-canary:',
      '              exact: "true"',
      '      route:',
      '        - destination:',
      '            host: reviews',
      '            subset: v2',
      '          weight: 10',
      '  list:',
      '    -',
      '      - 1',
      '      - 2',
      '    - []',
      '',
    ].join('\n'));
  });

  test('what has no YAML form in a manifest is refused', () => {
    expect(() => blockYaml({ a: Number.NaN })).toThrow(/a: NaN has no YAML form/);
    expect(() => blockYaml({ f: () => 1 })).toThrow(/f: a function has no YAML form/);
    expect(() => blockYaml({ list: [1, Number.POSITIVE_INFINITY] })).toThrow(/\[1\]: Infinity has no YAML form/);
  });
});
