import { IConstruct } from 'constructs';
import { invalid } from './errors';

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Throws unless `value` is a DNS name (lower case) whose only wildcard is a leading `*.`, as
 * both Istio and Gateway API accept it.
 */
export function checkHostname(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string' || value.length > 253 || !HOSTNAME.test(value) || value.split('.').some(l => l.length > 63) || /^[0-9.]+$/.test(value)) {
    invalid(scope, prop, value, 'a lower-case DNS name, with a wildcard only as a leading \'*.\' (e.g. "shop.example.com" or "*.example.com"; labels of at most 63 characters, not an IP address)');
  }
}

/** Whether some request host can match both (listener and route hostnames intersect). */
export function hostnamesIntersect(a: string, b: string): boolean {
  const covers = (wild: string, host: string) => wild.startsWith('*.') && host.endsWith(wild.slice(1));
  return a === b || covers(a, b) || covers(b, a);
}
