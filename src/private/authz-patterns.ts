import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { PatternIntent } from '../model/security';

const CONTROL = /[\u0000-\u001f\u007f]/;
const VALUE_RULE = 'an exact value, a prefix (abc*), a suffix (*abc) or * (any value), without control characters';

/**
 * Istio's string match (pilot/pkg/security/authz/matcher/string.go StringMatcherWithPrefix):
 * `*` any, a leading `*` a suffix, a trailing `*` a prefix; any other `*` is taken literally,
 * which is never what was meant, so it is refused.
 */
export function valuePattern(scope: IConstruct, prop: string, v: string): PatternIntent {
  if (CONTROL.test(v)) invalid(scope, prop, v, VALUE_RULE);
  if (v === '*') return { kind: 'any', pattern: v, value: '' };
  const stars = v.split('*').length - 1;
  if (stars === 0) return { kind: 'exact', pattern: v, value: v };
  if (stars === 1 && v.endsWith('*')) return { kind: 'prefix', pattern: v, value: v.slice(0, -1) };
  if (stars === 1 && v.startsWith('*')) return { kind: 'suffix', pattern: v, value: v.slice(1) };
  return invalid(scope, prop, v, VALUE_RULE);
}
