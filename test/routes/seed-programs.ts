/**
 * The seeds' routing manifests as TrafficRoutes programs (issue 15). Each takes a chart and a
 * provider configuration of the matrix (test/support/fixtures.ts).
 */
import { Chart, Duration } from 'cdk8s';
import { CanaryVersion, HeaderMatch, HttpRetryOn, PathMatch, QueryParamMatch, RequestMatch, RouteDestination, TrafficRoutes } from '../../src';
import { meshOf } from '../support/fixtures';

/** reviews v1..v3 as the seeds label them (`app: reviews`, `version: vN`), managed elsewhere. */
export function reviewsVersions(names = ['v1', 'v2', 'v3']): CanaryVersion[] {
  return names.map(v => CanaryVersion.fromLabels(v, { app: 'reviews', version: v }));
}

export const SEED_PROGRAMS: Record<string, (c: Chart, provider: string) => TrafficRoutes> = {
  /** seed 001 canary-deployment.yaml: `user: tester` to v3, the rest v1 90 / v2 10. */
  'canary-three-versions': (c, provider) => new TrafficRoutes(c, 'reviews', {
    mesh: meshOf(provider),
    serviceName: 'reviews',
    port: 9080,
    versions: reviewsVersions(),
    rules: [{ matches: [RequestMatch.header('user', 'tester')], destination: RouteDestination.version('v3') }],
    defaultRoute: { destination: RouteDestination.weighted([{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }]) },
  }),

  /** seed 001 advanced-routing.yaml: user agent, URI prefix and query parameter rules; v1 with retries and a timeout. */
  'advanced-routing': (c, provider) => new TrafficRoutes(c, 'reviews', {
    mesh: meshOf(provider),
    serviceName: 'reviews',
    port: 9080,
    versions: reviewsVersions(),
    rules: [
      { matches: [RequestMatch.of({ headers: [HeaderMatch.regex('user-agent', '.*Mobile.*')] })], destination: RouteDestination.version('v2') },
      { matches: [RequestMatch.of({ path: PathMatch.prefix('/api/v2') })], destination: RouteDestination.version('v3') },
      { matches: [RequestMatch.of({ queryParams: [QueryParamMatch.exact('version', 'v3')] })], destination: RouteDestination.version('v3') },
    ],
    defaultRoute: {
      destination: RouteDestination.version('v1'),
      retries: {
        attempts: 3,
        perTryTimeout: Duration.seconds(2),
        retryOn: [HttpRetryOn.SERVER_ERROR, HttpRetryOn.RESET, HttpRetryOn.CONNECT_FAILURE],
      },
      timeout: Duration.seconds(10),
    },
  }),

  /** seed 002 §6.2 reviews-mirror: every request to v1, a copy of each to v2. */
  'dark-launch': (c, provider) => new TrafficRoutes(c, 'reviews', {
    mesh: meshOf(provider),
    serviceName: 'reviews',
    port: 9080,
    versions: reviewsVersions(['v1', 'v2']),
    defaultRoute: { destination: RouteDestination.version('v1'), mirror: { version: 'v2' } },
  }),

  /** seed 001 fault-injection.yaml: a delay and an abort for opted-in requests, all to v1. */
  'fault-injection': (c, provider) => new TrafficRoutes(c, 'reviews', {
    mesh: meshOf(provider),
    serviceName: 'reviews',
    port: 9080,
    versions: reviewsVersions(['v1']),
    rules: [
      {
        matches: [RequestMatch.header('test-delay', 'true')],
        destination: RouteDestination.version('v1'),
        fault: { delay: { fixedDelay: Duration.millis(500), percent: 10 } },
      },
      {
        matches: [RequestMatch.header('test-error', 'true')],
        destination: RouteDestination.version('v1'),
        fault: { abort: { httpStatus: 503, percent: 5 } },
      },
    ],
    defaultRoute: { destination: RouteDestination.version('v1') },
  }),
};
