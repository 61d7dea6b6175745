import { IConstruct } from 'constructs';
import { invalid } from './errors';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Throws unless `name` is a valid HTTP header name (RFC 7230 token). */
export function checkHeaderName(scope: IConstruct, prop: string, name: string): void {
  if (!HEADER_NAME.test(name)) invalid(scope, prop, name, 'a valid HTTP header name (RFC 7230 token)');
}
