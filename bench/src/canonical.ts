/**
 * What a program wrote, in a form two programs can be compared by: every object of every file, keys
 * sorted, one line each, sorted by file, apiVersion, kind, namespace and name.
 */
import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';

export interface Canonical {
  readonly lines: string[];
  readonly digest: string;
  readonly objects: number;
  readonly files: number;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortedKeys((value as Record<string, unknown>)[k])]));
}

export function canonicalOf(outdir: string): Canonical {
  const files = readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).sort();
  const lines: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(outdir, file), 'utf8'), { version: '1.1' })) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const o = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
      if (o === null || o === undefined) continue;
      const key = [file, o.apiVersion, o.kind, o.metadata?.namespace ?? '', o.metadata?.name ?? ''].join(' ');
      lines.push(`${key}\t${JSON.stringify(sortedKeys(o))}`);
    }
  }
  lines.sort();
  const digest = createHash('sha256').update(lines.join('\n')).digest('hex');
  return { lines, digest, objects: lines.length, files: files.length };
}
