/**
 * What a host's protocol allows, checked where the user set it (construct, prop, value): a TCP
 * host carries connections, not requests; a gRPC method match needs a gRPC host.
 */
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { Problems } from './validation';
import { MatchIntent, VersionTrafficPolicyIntent } from '../model/intents';
import { ServiceProtocol } from '../model/protocol';

/** The rule an HTTP-only prop breaks on a TCP host. */
export function tcpRule(feature: string): string {
  return `unset on a TCP host (protocol: ServiceProtocol.TCP): ${feature} apply to HTTP requests, and a TCP connection carries none; `
    + 'a TCP host is routed by weight only';
}

/**
 * Each of `props` (name → [value, feature]) that is set, as a problem on a TCP host; `props` is
 * called for a TCP host only (most hosts are not: nothing is built for them).
 */
export function checkTcpProps(scope: IConstruct, problems: Problems, protocol: ServiceProtocol,
  props: () => Record<string, [unknown, string]>): void {
  if (protocol !== ServiceProtocol.TCP) return;
  for (const [prop, [value, feature]] of Object.entries(props())) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    problems.run(() => invalid(scope, prop, value, tcpRule(feature)));
  }
}

/** A gRPC method match on a host that does not serve gRPC. */
export function checkGrpcMatches(scope: IConstruct, prop: string, matches: MatchIntent[], protocol: ServiceProtocol): void {
  if (protocol === ServiceProtocol.GRPC) return;
  matches.forEach((m, j) => {
    if (m.grpcMethod) {
      invalid(scope, `${prop}[${j}].grpcMethod`, m.grpcMethod,
        'used on a gRPC host only (protocol: ServiceProtocol.GRPC): other hosts\' requests are not gRPC calls; match their path instead');
    }
  });
}

/** What of a traffic policy acts on requests: `[prop, shown value, feature]` for each that is set. */
export function tcpPolicyProblems(policy: VersionTrafficPolicyIntent): [string, unknown, string][] {
  const cp = policy.connectionPool ?? {};
  const lb = policy.loadBalancer;
  const out: [string, unknown, string][] = [
    ['connectionPool.http1MaxPendingRequests', cp.http1MaxPendingRequests, 'pending-request limits'],
    ['connectionPool.http2MaxRequests', cp.http2MaxRequests, 'request limits'],
    ['connectionPool.maxRequestsPerConnection', cp.maxRequestsPerConnection, 'per-connection request limits'],
    ['connectionPool.maxRetries', cp.maxRetries, 'retry limits'],
    ['connectionPool.idleTimeout', cp.idleTimeout?.toHumanString(), 'HTTP idle timeouts'],
    ['loadBalancer', lb && (lb.kind === 'hash-header' || lb.kind === 'hash-cookie') ? `${lb.kind} ${lb.name}` : undefined, 'header and cookie hashing'],
    ['h2UpgradePolicy', policy.h2UpgradePolicy, 'HTTP/2 upgrades'],
  ];
  return out.filter(([, value]) => value !== undefined);
}

/** The same as problems of the construct that set the policy, under `prefix`. */
export function checkTcpPolicy(
  scope: IConstruct, problems: Problems, protocol: ServiceProtocol, prefix: string, policy: VersionTrafficPolicyIntent,
): void {
  checkTcpProps(scope, problems, protocol, () => Object.fromEntries(tcpPolicyProblems(policy).map(([prop, value, feature]) => [`${prefix}${prop}`, [value, feature]])));
}
