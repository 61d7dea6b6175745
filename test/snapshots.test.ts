/**
 * One snapshot per construct per provider: a reviewed record of the exact output, so any change
 * to it shows up in review. Regenerate deliberately with `npx jest --ci=false -u`.
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease, MeshWorkload, RoutePolicy, ServiceHost } from '../src';
import { bookinfoIngress, chart, meshOf, PROVIDERS, reviewsCanary } from './support/fixtures';

describe.each(Object.keys(PROVIDERS))('%s', (provider) => {
  test('CanaryRelease', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary(provider, { mirrorPercent: 5, timeout: Duration.seconds(10) }));
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('MeshWorkload', () => {
    const c = chart('bookinfo');
    new MeshWorkload(c, 'ratings', { mesh: meshOf(provider), serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('RoutePolicy', () => {
    const c = chart('bookinfo');
    new RoutePolicy(c, 'ratings', {
      host: ServiceHost.fromAttributes({ mesh: meshOf(provider), serviceName: 'ratings', port: 9080 }),
      timeout: Duration.seconds(3),
    });
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('IngressGateway and GatewayRoute', () => {
    const c = chart('bookinfo');
    bookinfoIngress(c, provider);
    expect(Testing.synth(c).filter(o => !['Deployment', 'Service', 'ServiceAccount'].includes(o.kind))).toMatchSnapshot();
  });
});
