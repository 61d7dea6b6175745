/**
 * Every TypeScript snippet of the README and docs/ is a complete program that compiles against
 * the library as an app would import it ('cdk8s-mesh'), and every snippet that synthesizes is
 * run and its output validated against the upstream schemas: a snippet that stops compiling or
 * synthesizing fails CI.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as ts from 'typescript';
import { CodeBlock, codeBlocks, ROOT, userDocs } from '../support/markdown';
import { expectValid, itValidates } from '../support/validator';
import { printedWarnings } from '../support/warnings';

const SNIPPET_DIR = path.join(ROOT, '.snippets'); // virtual: never written

const snippets: Array<CodeBlock & { file: string }> = userDocs()
  .flatMap(f => codeBlocks(f))
  .filter(b => b.lang === 'ts' || b.lang === 'typescript')
  .map((b, i) => ({ ...b, file: path.join(SNIPPET_DIR, `snippet${i}-${b.where.replace(/[^\w]/g, '_')}.ts`) }));

/** Type-checks all snippets in one program; returns the diagnostics per snippet file. */
function compile(): Map<string, string[]> {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    rootDir: undefined,
    outDir: undefined,
    declaration: false,
    noUnusedLocals: false,
    types: ['node'],
    paths: { 'cdk8s-mesh': [path.join(ROOT, 'src', 'index.ts')] },
  };
  const virtual = new Map(snippets.map(s => [s.file, s.code]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => virtual.has(name)
    ? ts.createSourceFile(name, virtual.get(name)!, lang) : getSourceFile(name, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = name => virtual.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = name => virtual.get(name) ?? readFile(name);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out = new Map<string, string[]>(snippets.map(s => [s.file, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (file && out.has(file)) {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      out.get(file)!.push(`line ${line + 1} of the snippet: ${message}`);
    } else {
      // a problem outside the snippets (src/) shows on every snippet
      for (const list of out.values()) list.push(`${file ?? ''}: ${message}`);
    }
  }
  return out;
}

/** Runs a snippet with 'cdk8s-mesh' resolving to src/; returns the objects it synthesized. */
function run(snippet: CodeBlock): any[] {
  const js = ts.transpileModule(snippet.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'snippet-'));
  const before = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  try {
    // the snippet's imports, through jest's registry: 'cdk8s-mesh' is src/, the rest node_modules
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const req = (id: string) => (id === 'cdk8s-mesh' ? require('../../src') : require(id));
    const module = { exports: {} };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', js)(req, module, module.exports);
    const files = fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).sort();
    return files.flatMap(f => Yaml.load(path.join(outdir, f)).filter(o => o));
  } finally {
    if (before === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = before;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

test('the README and docs have TypeScript snippets', () => {
  expect(snippets.length).toBeGreaterThan(10);
});

describe('every snippet compiles as a complete program', () => {
  let diagnostics: Map<string, string[]>;
  beforeAll(() => {
    diagnostics = compile();
  });
  test.each(snippets.map(s => [s.where, s] as const))('%s', (_where, snippet) => {
    expect(snippet.code).toMatch(/^import [^;]* from 'cdk8s-mesh';$/m);
    expect(diagnostics.get(snippet.file)).toEqual([]);
  });
});

describe('every snippet that synthesizes gives valid objects', () => {
  const synthesizing = snippets.filter(s => /\.synth\(\)/.test(s.code));
  test('most snippets synthesize', () => {
    expect(synthesizing.length).toBeGreaterThan(snippets.length / 2);
  });
  itValidates.each(synthesizing.map(s => [s.where, s] as const))('%s', (_where, snippet) => {
    const objects = run(snippet);
    expect(objects.length).toBeGreaterThan(0);
    expectValid({ [snippet.where]: objects });
    printedWarnings(true);
  });
});
