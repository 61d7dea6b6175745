import { IConstruct } from 'constructs';

const MAX_SHOWN = 120;

/**
 * Renders a value for an error message: strings quoted, everything else as JSON; values JSON
 * cannot show (NaN, Infinity, functions, cycles) as JavaScript writes them; long ones cut short.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} characters)` : text;
}

/**
 * An input error: one line per problem, each `<where>: '<prop>' (<value>) must be <rule>`.
 * `Problems` (src/private/validation.ts) collects these to report every problem at once.
 */
export class InputError extends Error {
  public readonly lines: string[];

  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
    this.name = 'Error';
  }
}

/**
 * Throws the library's standard input error: `<path>: '<prop>' (<value>) must be <rule>`.
 * Every rejected input goes through here so messages stay uniform.
 */
export function invalid(scope: IConstruct, prop: string, value: unknown, rule: string): never {
  throw new InputError([`${scope.node.path}: '${prop}' (${show(value)}) must be ${rule}`]);
}

/** The same for a static factory, which has no construct path: `<Factory>: '<prop>' (<value>) must be <rule>`. */
export function invalidOption(factory: string, prop: string, value: unknown, rule: string): never {
  throw new InputError([`${factory}: '${prop}' (${show(value)}) must be ${rule}`]);
}

/** `<path>: <provider> cannot express <feature>; <instead>` */
export function unsupportedMessage(scope: IConstruct, provider: string, feature: string, instead: string): string {
  return `${scope.node.path}: ${provider} cannot express ${feature}; ${instead}`;
}

/**
 * The one "unsupported → throw" step: every capability problem a renderer found, one line each,
 * as `<path>: <provider> cannot express <feature>; <instead>`. Nothing when there is none.
 */
export function throwUnsupported(scope: IConstruct, provider: string, problems: { feature: string; instead: string }[]): void {
  if (problems.length > 0) {
    throw new Error(problems.map(p => unsupportedMessage(scope, provider, p.feature, p.instead)).join('\n'));
  }
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_1123_LABEL.test(value);
}

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 subdomain: object names, DNS domains such as a cluster domain or trust domain. */
export function isDns1123Subdomain(value: string): boolean {
  return typeof value === 'string' && value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
}
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function checkDns1123Label(scope: IConstruct, prop: string, value: string): void {
  if (!isDns1123Label(value)) {
    invalid(scope, prop, value, 'a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)');
  }
}

/** Service names are stricter than most names: they must start with a letter. */
export function checkServiceName(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string' || value.length > 63 || !DNS_1035_LABEL.test(value)) {
    invalid(scope, prop, value, 'a DNS-1035 label (lower-case letters, digits and \'-\', starting with a letter, ending with a letter or digit, at most 63 characters)');
  }
}

export function checkPort(scope: IConstruct, prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    invalid(scope, prop, value, 'an integer in 1..65535');
  }
}

export function checkPercent(scope: IConstruct, prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    invalid(scope, prop, value, 'a number in 0..100');
  }
}
