/**
 * The layering of DESIGN.md §3, checked on the source as well as by eslint (import/no-cycle and
 * import/no-restricted-paths in .projenrc.ts): patterns write intents and never import a
 * provider; the model knows no provider and no pattern.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)])
    .filter(f => f.endsWith('.ts'));
}

/** Every module a file imports (type imports too), as a path relative to src/. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf-8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)]
    .map(m => path.relative(SRC, path.resolve(path.dirname(file), m[1])));
}

test.each([
  ['patterns', 'providers'],
  ['model', 'providers'],
  ['model', 'patterns'],
])('src/%s imports nothing from src/%s', (layer, forbidden) => {
  const offending = files(path.join(SRC, layer)).flatMap(f => importsOf(f).filter(i => i.startsWith(`${forbidden}/`) || i === forbidden)
    .map(i => `${path.relative(SRC, f)} → ${i}`));
  expect(offending).toEqual([]);
});

test('only src/providers/ and the ownership registry create API objects (patterns write intents)', () => {
  const offending = files(SRC).filter(f => !path.relative(SRC, f).startsWith('providers/'))
    .filter(f => /new ApiObject\(/.test(fs.readFileSync(f, 'utf-8')))
    .map(f => path.relative(SRC, f));
  expect(offending).toEqual(['private/ownership.ts']);
});

test('every provider folder has its options and wiring in one place', () => {
  for (const provider of ['istio', 'linkerd', 'gateway-api']) {
    expect(fs.existsSync(path.join(SRC, 'providers', provider, 'options.ts'))).toBe(true);
  }
  const factories = fs.readFileSync(path.join(SRC, 'provider.ts'), 'utf-8');
  expect(factories).not.toMatch(/export (enum|interface)/);
});
