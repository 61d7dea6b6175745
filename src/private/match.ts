import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { MatchIntent } from '../model/intents';

/** Validates one request match (the rules every routing API shares). */
export function checkMatch(scope: IConstruct, prop: string, m: MatchIntent): MatchIntent {
  if (!m.path && !m.method && m.headers.length === 0 && m.queryParams.length === 0) {
    invalid(scope, prop, {}, 'at least one condition (path, header, query parameter or method)');
  }
  if (m.path && m.path.kind !== 'regex' && !m.path.value.startsWith('/')) {
    invalid(scope, `${prop}.path`, m.path.value, 'a path that starts with \'/\'');
  }
  for (const [list, what] of [[m.headers, 'headers'], [m.queryParams, 'queryParams']] as const) {
    list.forEach((h, i) => {
      if (h.name.trim() === '') invalid(scope, `${prop}.${what}[${i}].name`, h.name, 'a non-empty name');
      if (what === 'headers' && !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(h.name)) {
        invalid(scope, `${prop}.${what}[${i}].name`, h.name, 'a valid HTTP header name (RFC 7230 token)');
      }
      if (h.kind !== 'regex' && h.value === '') invalid(scope, `${prop}.${what}[${i}].value`, h.value, 'non-empty');
    });
  }
  return m;
}
