/**
 * Go durations as Istio and Gateway API take them: compound, so that no unit needs more than the
 * 5 digits Gateway API's duration pattern allows (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`, GEP-2257).
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease } from '../../src';
import { goDuration } from '../../src/private/duration';
import { chart, ofKind, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const GATEWAY_API_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

describe('goDuration', () => {
  test.each([
    [Duration.millis(500), '500ms'],
    [Duration.millis(1500), '1500ms'],
    [Duration.millis(99_999), '99999ms'],
    [Duration.seconds(10), '10s'],
    [Duration.seconds(90), '1m30s'],
    [Duration.millis(100500), '1m40s500ms'],
    [Duration.millis(3_723_004), '1h2m3s4ms'],
    [Duration.millis(0), '0s'],
  ])('%s is %s', (d, expected) => {
    expect(goDuration(d)).toBe(expected);
    expect(goDuration(d)).toMatch(GATEWAY_API_DURATION);
  });

  itValidates('a 100500ms request timeout passes the Gateway API schema (it was `100500ms`)', () => {
    const c = chart('shop');
    new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api', { timeout: Duration.millis(100500) }));
    const out = Testing.synth(c);
    expect(ofKind(out, 'HTTPRoute')[0].spec.rules.map((r: any) => r.timeouts?.request)).toContain('1m40s500ms');
    expectValid({ 'timeout-100500ms': out }, { 'timeout-100500ms': validationTargetOf('gateway-api') });
  });
});
