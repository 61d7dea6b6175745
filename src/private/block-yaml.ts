/**
 * A small block-style YAML writer for the JSON-like objects the renderers produce (maps, lists,
 * strings, finite numbers, booleans, null), used for the review copies of manifests in rollout
 * plans. cdk8s's `Yaml.stringify` builds a full YAML document model per object, which made the
 * plans of a 1,000-release program cost more than the program's own manifests (bench/README.md).
 *
 * The output reads back as the same object under YAML 1.1 (cdk8s's schema) and YAML 1.2
 * (kubectl, Argo CD, Flux): a string is written plain only when it cannot be read as anything
 * else, and otherwise as a JSON string, which is a valid YAML double-quoted scalar
 * (test/private/block-yaml.test.ts checks both schemas).
 */

// Plain only: a letter or underscore first (never a number, `.inf`, `~`, an indicator), then
// nothing that starts a comment, a mapping or a flow collection.
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
// Words YAML 1.1 reads as booleans or null (YAML 1.2 reads a subset of them), and exponents
// without a mantissa, which YAML 1.1's float pattern accepts (`e0`).
const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null|e[-+]?[0-9]+)$/i;

/** One YAML document per object, separated by `---` like cdk8s's `Yaml.stringify`. */
export function blockYaml(...docs: unknown[]): string {
  return docs.map(d => {
    const lines: string[] = [];
    writeValue(d, '', lines);
    return lines.join('\n') + '\n';
  }).join('---\n');
}

function scalar(value: unknown, where: string): string {
  switch (typeof value) {
    case 'string':
      return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${where}: ${value} has no YAML form in a manifest`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null || value === undefined) return 'null';
      throw new Error(`${where}: a ${typeof value} has no YAML form in a manifest`);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A document's root: a map or list in block style, or a lone scalar. */
function writeValue(value: unknown, indent: string, lines: string[]): void {
  if (isMap(value) && Object.keys(value).length > 0) writeMap(value, indent, '', lines);
  else if (Array.isArray(value) && value.length > 0) writeList(value, indent, lines);
  else lines.push(indent + inline(value, '(root)'));
}

/** `{}`, `[]` or a scalar: what fits after `key: ` or `- `. */
function inline(value: unknown, where: string): string {
  if (Array.isArray(value)) return '[]';
  if (isMap(value)) return '{}';
  return scalar(value, where);
}

function nested(value: unknown): boolean {
  return (Array.isArray(value) || isMap(value)) && Object.keys(value as object).length > 0;
}

/**
 * A map's entries at `indent`; the first line starts with `first` instead (`- ` for a map that is
 * a list item, whose keys then line up after the dash).
 */
function writeMap(map: Record<string, unknown>, indent: string, first: string, lines: string[]): void {
  let lead = first === '' ? indent : first;
  for (const key of Object.keys(map)) {
    const value = map[key];
    const k = scalar(key, key);
    if (!nested(value)) {
      lines.push(`${lead}${k}: ${inline(value, key)}`);
    } else {
      lines.push(`${lead}${k}:`);
      if (Array.isArray(value)) writeList(value, indent + '  ', lines);
      else writeMap(value as Record<string, unknown>, indent + '  ', '', lines);
    }
    lead = indent;
  }
}

function writeList(list: unknown[], indent: string, lines: string[]): void {
  list.forEach((item, index) => {
    if (isMap(item) && Object.keys(item).length > 0) {
      writeMap(item, indent + '  ', `${indent}- `, lines);
    } else if (Array.isArray(item) && item.length > 0) {
      lines.push(`${indent}-`);
      writeList(item, indent + '  ', lines);
    } else {
      lines.push(`${indent}- ${inline(item, `[${index}]`)}`);
    }
  });
}
