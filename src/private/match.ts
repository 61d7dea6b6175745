import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { MatchIntent } from '../model/intents';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Throws unless `name` is a valid HTTP header name (RFC 7230 token). */
export function checkHeaderName(scope: IConstruct, prop: string, name: string): void {
  if (!HEADER_NAME.test(name)) invalid(scope, prop, name, 'a valid HTTP header name (RFC 7230 token)');
}

/** Validates one request match (at least one condition, paths start with '/', header names). */
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
      if (what === 'headers') checkHeaderName(scope, `${prop}.${what}[${i}].name`, h.name);
      if (h.kind !== 'regex' && h.value === '') invalid(scope, `${prop}.${what}[${i}].value`, h.value, 'non-empty');
    });
  }
  return m;
}
