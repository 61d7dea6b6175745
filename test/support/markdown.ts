import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** e.g. `README.md:42` (the line of the opening fence) */
  readonly where: string;
  readonly lang: string;
  readonly code: string;
  /** the `<!-- name -->` comment on the line before the fence, if any (e.g. `file: tsconfig.json`) */
  readonly marker?: string;
}

export function codeBlocks(file: string): CodeBlock[] {
  const rel = path.relative(ROOT, file);
  const lines = fs.readFileSync(file, 'utf-8').split('\n');
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\w*)\s*$/);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const marker = start > 0 ? lines[start - 1].match(/^<!--\s*(.*?)\s*-->$/)?.[1] : undefined;
    out.push({ where: `${rel}:${start + 1}`, lang: open[1], code: body.join('\n') + '\n', marker });
  }
  return out;
}

/** The Markdown files users read: the README and docs/. */
export function userDocs(): string[] {
  const docs = path.join(ROOT, 'docs');
  return [
    path.join(ROOT, 'README.md'),
    ...fs.readdirSync(docs).filter(f => f.endsWith('.md')).sort().map(f => path.join(docs, f)),
  ];
}

/** The block after `<!-- <marker> -->` in `file`; fails when there is none. */
export function markedBlock(file: string, marker: string): CodeBlock {
  const block = codeBlocks(file).find(b => b.marker === marker);
  if (!block) throw new Error(`${path.relative(ROOT, file)} has no code block after <!-- ${marker} -->`);
  return block;
}
