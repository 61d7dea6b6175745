/**
 * Runtime checks for every public entry point, for callers the TypeScript types do not protect
 * (plain JavaScript, and Python, Java, C# and Go through jsii): required props present, types
 * right, strings in the syntax Kubernetes and the meshes accept.
 *
 * Every problem of one construct (or static factory) is collected and reported together, one
 * line each, in the library's one error shape: `<where>: '<prop>' (<value>) must be <rule>`,
 * where `<where>` is the construct path, or the factory's name (`MeshProvider.istio`).
 *
 * Usage in a constructor, before anything reads the props:
 *
 *   checkProps(this, props, { serviceName: required(dns1035Label), port: required(port), ... });
 *
 * and for checks that need more than a prop's own value, a `Problems` collector:
 *
 *   const problems = new Problems(this);
 *   problems.run(() => invalid(...));   // an InputError is recorded, not thrown
 *   problems.throwIfAny();
 */
import { IConstruct } from 'constructs';
import { InputError, show } from './errors';

/** Where problems are reported: a construct (its path) or a static factory (its name). */
export type Where = IConstruct | string;

function whereOf(where: Where): string {
  return typeof where === 'string' ? where : where.node.path;
}

/** Collects the input problems of one construct or factory, to report them all at once. */
export class Problems {
  private readonly lines: string[] = [];

  constructor(private readonly where: Where) {}

  /** Records `'<prop>' (<value>) must be <rule>`. */
  public add(prop: string, value: unknown, rule: string): void {
    this.lines.push(`${whereOf(this.where)}: '${prop}' (${show(value)}) must be ${rule}`);
  }

  /**
   * Runs `check`; an input error it raises (from `invalid()`, `invalidOption()` or a nested
   * collector) is recorded instead of thrown, and `undefined` returned. Other errors pass.
   */
  public run<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (e) {
      if (e instanceof InputError) {
        this.lines.push(...e.lines);
        return undefined;
      }
      // A later check tripping over a value already reported (say `steps: 'x'`, a TypeError, or
      // cdk8s refusing a fractional Duration) adds nothing:
      // the report stands. Without a report, the error is the library's and passes.
      if (this.any) return undefined;
      throw e;
    }
  }

  /** Whether a problem was recorded. */
  public get any(): boolean {
    return this.lines.length > 0;
  }

  /** Throws one error with every problem, one per line (duplicates once), if there is any. */
  public throwIfAny(): void {
    if (this.lines.length > 0) throw new InputError([...new Set(this.lines)]);
  }
}

/** A check of one value: records what is wrong with it in `problems`. */
export type Check = (problems: Problems, prop: string, value: unknown) => void;

/**
 * Checks `props` (which must be an object) field by field, then throws once with every problem.
 * `prefix` names nested props in messages (`'listeners[0].'`); `problems` collects into a
 * construct's collector instead of throwing.
 */
export function checkProps(where: Where, props: unknown, fields: Fields, prefix = '', problems?: Problems): void {
  const p = problems ?? new Problems(where);
  checkFields(p, prefix === '' ? 'props' : prefix.replace(/\.$/, ''), props, fields, prefix);
  if (!problems) p.throwIfAny();
}

function checkFields(problems: Problems, what: string, value: unknown, fields: Fields, prefix: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(what, value, 'an object');
    return;
  }
  const v = value as Record<string, unknown>;
  // Every public entry point runs this (dozens of times per service of a large program): no
  // allocation beyond the prop names.
  for (const k in fields) fields[k](problems, prefix === '' ? k : prefix + k, v[k]);
}

/** The checks of an object's props, by prop name. */
export type Fields = { [prop: string]: Check };

/**
 * A table of checks built on first use and kept, for entry points a large program calls per
 * service: a table written inside a constructor allocates a closure per prop on every call. Built
 * on first use rather than at module load, since a table may name a class (`instanceOf`) that a
 * circular import has not defined yet.
 */
export function fieldsOnce(build: () => Fields): () => Fields {
  let fields: Fields | undefined;
  return () => fields ?? (fields = build());
}

/** Checks one value, reported as `prop`; throws with the problem, if any. */
export function checkValue(where: Where, prop: string, value: unknown, check: Check): void {
  const p = new Problems(where);
  check(p, prop, value);
  p.throwIfAny();
}

/** Absent values: `undefined`, and `null` (which jsii passes for an optional value left out). */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The value must be given. */
export function required(check: Check): Check {
  return (p, prop, value) => {
    if (absent(value)) p.add(prop, value, 'set (it is required)');
    else check(p, prop, value);
  };
}

/** The value may be left out (`undefined` or `null`); when given, `check` applies. */
export function optional(check: Check): Check {
  return (p, prop, value) => {
    if (!absent(value)) check(p, prop, value);
  };
}

/** Nested props: an object whose fields are checked as `prop.field`. */
export function object(fields: Fields): Check {
  return (p, prop, value) => checkFields(p, prop, value, fields, `${prop}.`);
}

/** A string, optionally non-empty, at most `max` characters, matching `pattern` (`rule` says how). */
export function string(options: { nonEmpty?: boolean; max?: number; pattern?: RegExp; rule?: string } = {}): Check {
  const rule = options.rule ?? (options.nonEmpty ? 'a non-empty string' : 'a string');
  return (p, prop, value) => {
    if (typeof value !== 'string') return p.add(prop, value, rule);
    if (options.nonEmpty && value.trim() === '') return p.add(prop, value, rule);
    if (options.max !== undefined && value.length > options.max) return p.add(prop, value, `${rule}, at most ${options.max} characters`);
    if (options.pattern && !options.pattern.test(value)) return p.add(prop, value, rule);
  };
}

export const DNS_1123_LABEL_RULE = 'a DNS-1123 label (lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)';
export const DNS_1035_LABEL_RULE = 'a DNS-1035 label (lower-case letters, digits and \'-\', starting with a letter, ending with a letter or digit, at most 63 characters)';
export const DNS_1123_SUBDOMAIN_RULE = 'a DNS-1123 subdomain (lower-case letters, digits, \'-\' and \'.\', at most 253 characters)';

/** A namespace or object name: a DNS-1123 label. */
export const dns1123Label: Check = string({ max: 63, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, rule: DNS_1123_LABEL_RULE });
/** A Service name: a DNS-1035 label. */
export const dns1035Label: Check = string({ max: 63, pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/, rule: DNS_1035_LABEL_RULE });
/** A DNS domain or an object name that may hold dots. */
export const dns1123Subdomain: Check = string({
  max: 253, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, rule: DNS_1123_SUBDOMAIN_RULE,
});

/** A DNS name (lower case) whose only wildcard is a leading `*.`; not an IP address. */
export const hostname: Check = string({
  max: 253,
  pattern: {
    test: (v: string) => /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v)
    && v.split('.').every(l => l.length <= 63) && !/^[0-9.]+$/.test(v),
  } as unknown as RegExp,
  rule: 'a lower-case DNS name, with a wildcard only as a leading \'*.\' (e.g. "shop.example.com" or "*.example.com"; labels of at most 63 characters, not an IP address)',
});

/** Any finite number (the range is checked where the rule lives). */
export const finiteNumber: Check = (p, prop, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) p.add(prop, value, 'a number');
};

/** Any value (for props whose rule is checked elsewhere). */
export const anything: Check = () => undefined;

/** A non-empty string. */
export const nonEmptyString: Check = string({ nonEmpty: true });

/** A number (finite) in `min`..`max`, an integer unless `fractional`. */
export function number(min: number, max: number, options: { fractional?: boolean; rule?: string } = {}): Check {
  const rule = options.rule ?? (options.fractional ? `a number in ${min}..${max}` : `an integer in ${min}..${max}`);
  return (p, prop, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max
      || (!options.fractional && !Number.isInteger(value))) {
      p.add(prop, value, rule);
    }
  };
}

/** A cdk8s `Size`. */
export const size: Check = (p, prop, value) => {
  const s = value as { toKibibytes?: unknown } | null;
  if (typeof s !== 'object' || s === null || typeof s.toKibibytes !== 'function') p.add(prop, describeObject(value), 'a Size (Size.mebibytes(256), Size.gibibytes(1))');
};

/** A TCP port. */
export const portNumber: Check = number(1, 65535);

/** `true` or `false`. */
export const boolean: Check = (p, prop, value) => {
  if (typeof value !== 'boolean') p.add(prop, value, 'true or false');
};

/** The longest duration every API accepts: Gateway API allows at most 5 digits per unit. */
export const MAX_DURATION_HOURS = 99999;

/**
 * A cdk8s `Duration` of whole milliseconds, at least `minMs` (1ms by default: no API takes a zero
 * timeout) and under 100000h (Gateway API's `Duration` has at most 5 digits per unit).
 */
export function duration(options: { minMs?: number } = {}): Check {
  const minMs = options.minMs ?? 1;
  return (p, prop, value) => {
    const ms = millisOf(value);
    if (ms === undefined) return p.add(prop, value, 'a Duration (Duration.seconds(5), Duration.millis(500), ...)');
    const human = () => (value as { toHumanString(): string }).toHumanString();
    if (!Number.isInteger(ms)) return p.add(prop, human(), 'a whole number of milliseconds');
    if (ms < minMs) return p.add(prop, human(), minMs === 1 ? 'a positive duration of at least 1ms' : `at least ${minMs}ms`);
    if (ms >= (MAX_DURATION_HOURS + 1) * 3600_000) return p.add(prop, human(), `shorter than ${MAX_DURATION_HOURS + 1} hours (Gateway API's duration limit)`);
  };
}

/** The milliseconds of a cdk8s Duration, or undefined when `value` is none. */
export function millisOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as { toMilliseconds?: unknown; toHumanString?: unknown };
  if (typeof d.toMilliseconds !== 'function' || typeof d.toHumanString !== 'function') return undefined;
  try {
    const ms = (d.toMilliseconds as (o: object) => number).call(value, { integral: false });
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : NaN;
  } catch {
    return NaN;
  }
}

/** A member of an enum; `name` is how users write it, e.g. `MtlsMode`. */
export function enumOf(members: object, name: string): Check {
  const values = Object.values(members);
  return (p, prop, value) => {
    if (!values.includes(value)) p.add(prop, value, `a ${name} (${values.map(v => JSON.stringify(v)).join(', ')})`);
  };
}

/**
 * An instance of one of the library's classes (made by its static factories), e.g.
 * `PathMatch.prefix('/')`; `name` says how to make one.
 */
export function instanceOf(cls: Function, name: string): Check {
  return (p, prop, value) => {
    if (!(value instanceof cls)) p.add(prop, describeObject(value), `a ${name}`);
  };
}

/** An object that has every method or field in `members` (an interface such as `IMesh`). */
export function shaped(members: string[], rule: string): Check {
  return (p, prop, value) => {
    if (typeof value !== 'object' || value === null || members.some(m => absent((value as Record<string, unknown>)[m]))) {
      p.add(prop, describeObject(value), rule);
    }
  };
}

/** `IMesh`: what `Mesh.fromAttributes()` or a `MeshInstall` gives. */
export const meshRef: Check = (p, prop, value) => {
  const provider = typeof value === 'object' && value !== null ? (value as { provider?: { _renderers?: unknown } }).provider : undefined;
  if (typeof provider !== 'object' || provider === null || typeof provider._renderers !== 'object') {
    p.add(prop, describeObject(value), 'a mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }) or a MeshInstall');
  }
};

/** An array whose items pass `item` (checked as `prop[i]`), optionally non-empty and without repeats. */
export function arrayOf(item: Check, options: { min?: number; max?: number; unique?: boolean; what?: string } = {}): Check {
  return (p, prop, value) => {
    if (!Array.isArray(value)) return p.add(prop, describeObject(value), `an array${options.what ? ` of ${options.what}` : ''}`);
    if (options.min !== undefined && value.length < options.min) {
      return p.add(prop, value, options.min === 1 ? 'non-empty' : `at least ${options.min} entries`);
    }
    if (options.max !== undefined && value.length > options.max) return p.add(prop, `${value.length} entries`, `at most ${options.max} entries`);
    value.forEach((v, i) => item(p, `${prop}[${i}]`, v));
    if (options.unique) {
      value.forEach((v, i) => {
        if (value.indexOf(v) !== i) p.add(`${prop}[${i}]`, v, `unique (it repeats ${prop}[${value.indexOf(v)}])`);
      });
    }
  };
}

/** A plain object of string keys to values; keys pass `key`, values `val` (checked as `prop.<key>`). */
export function mapOf(key: Check, val: Check, options: { min?: number } = {}): Check {
  return (p, prop, value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return p.add(prop, describeObject(value), 'an object of names to values');
    const entries = Object.entries(value);
    if (options.min !== undefined && entries.length < options.min) return p.add(prop, value, options.min === 1 ? 'non-empty' : `at least ${options.min} entries`);
    for (const [k, v] of entries) {
      key(p, prop, k);
      val(p, `${prop}.${k}`, v);
    }
  };
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Whether `key` is a Kubernetes label (or annotation) key: `[prefix/]name`. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && !(prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** Whether `value` is a Kubernetes label value (empty allowed). */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

export const LABEL_KEY_RULE = 'a label key ([prefix/]name: a DNS subdomain prefix, a name of at most 63 letters, digits, \'-\', \'_\' or \'.\' starting and ending with a letter or digit)';
export const LABEL_VALUE_RULE = 'a label value (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, or empty)';

export const labelKey: Check = string({ pattern: { test: isLabelKey } as unknown as RegExp, rule: LABEL_KEY_RULE });
export const labelValue: Check = string({ pattern: { test: isLabelValue } as unknown as RegExp, rule: LABEL_VALUE_RULE });

/** Kubernetes labels (a selector): valid keys and values, at least `min` of them. */
export function labelMap(options: { min?: number } = {}): Check {
  return mapOf(labelKey, labelValue, options);
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
export const HEADER_NAME_RULE = 'a valid HTTP header name (RFC 7230 token)';

/** An HTTP header name (RFC 7230 token), at most 256 characters as Gateway API allows. */
export const headerName: Check = string({ max: 256, pattern: TOKEN, rule: HEADER_NAME_RULE });

/** A query parameter name as Gateway API accepts it (an RFC 7230 token), at most 256 characters. */
export const queryParamName: Check = string({ max: 256, pattern: TOKEN, rule: 'a query parameter name (letters, digits and !#$%&\'*+-.^_`|~, no spaces)' });

/** A path: starts with `/`, no white space or control characters. */
export const absolutePath: Check = string({ max: 1024, pattern: /^\/[^\s\u0000-\u001f\u007f]*$/, rule: 'a path that starts with \'/\' and has no white space' });

/** A container image reference: non-empty, no white space. */
export const image: Check = string({ nonEmpty: true, pattern: /^[^\s]+$/, rule: 'a non-empty image reference without white space' });

/** Environment variables: C identifiers (as most shells need, and Kubernetes recommends) to strings. */
export const env: Check = mapOf(string({ max: 1024, pattern: /^[-._a-zA-Z][-._a-zA-Z0-9]*$/, rule: 'an environment variable name (letters, digits, \'_\', \'-\', \'.\', not starting with a digit)' }), string());

/** Proxy CPU and memory (`ProxyResources`): cdk8s-plus `Cpu` and cdk8s `Size` values. */
export const proxyResources: Check = object({
  cpuRequest: optional(shaped(['amount'], 'a Cpu (Cpu.millis(100), Cpu.units(1))')),
  cpuLimit: optional(shaped(['amount'], 'a Cpu (Cpu.millis(100), Cpu.units(1))')),
  memoryRequest: optional(size),
  memoryLimit: optional(size),
});

/** For messages: an object is shown by its class, a plain value as JSON. */
export function describeObject(value: unknown): unknown {
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const ctor = (value as object).constructor;
  if (ctor && ctor !== Object) return `${ctor.name} instance`;
  return value;
}
