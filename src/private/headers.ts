import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { checkHeaderName } from './match';
import { arrayOf, Check, headerName, mapOf, object, optional, string } from './validation';
import { HeaderModification } from '../model/headers';
import { HeaderModifierIntent } from '../model/ingress';

/** The shape of a `HeaderModification`, for `checkProps`. */
export const headerModification: Check = object({
  set: optional(mapOf(headerName, string({ nonEmpty: true, max: 4096, rule: 'a non-empty header value' }))),
  add: optional(mapOf(headerName, string({ nonEmpty: true, max: 4096, rule: 'a non-empty header value' }))),
  remove: optional(arrayOf(headerName)),
});

/** Validates header changes (shape checked already): sorted, each name once across set, add and remove. */
export function headerModifierIntent(scope: IConstruct, prop: string, h: HeaderModification): HeaderModifierIntent {
  const entries = (map: { [name: string]: string } | undefined, what: string): [string, string][] => {
    const list = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
    list.forEach(([k]) => checkHeaderName(scope, `${prop}.${what}`, k));
    return list;
  };
  const set = entries(h.set, 'set');
  const add = entries(h.add, 'add');
  const remove = [...new Set(h.remove ?? [])].sort();
  remove.forEach(k => checkHeaderName(scope, `${prop}.remove`, k));
  if (set.length + add.length + remove.length === 0) invalid(scope, prop, h, 'at least one header to set, add or remove');
  const names = [...set, ...add].map(([k]) => k.toLowerCase());
  const twice = names.find((k, i) => names.indexOf(k) !== i) ?? remove.find(k => names.includes(k.toLowerCase()));
  if (twice) invalid(scope, prop, twice, 'named once across set, add and remove');
  return { set, add, remove };
}
