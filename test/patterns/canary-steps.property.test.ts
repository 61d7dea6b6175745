import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { CanaryRelease } from '../../src';
import { chart, one, reviewsCanary } from '../support/fixtures';

/** Valid plans: strictly increasing integers in 0..99, then 100. */
const validSteps = fc.uniqueArray(fc.integer({ min: 0, max: 99 }), { maxLength: 10 })
  .map(xs => [...xs.sort((a, b) => a - b), 100]);

describe('weight steps (property-based)', () => {
  test('every step of every valid plan routes exactly its weight, summing to 100, on both APIs', () => {
    fc.assert(fc.property(validSteps, fc.nat(), fc.constantFrom('istio', 'gateway-api'), (steps, pick, provider) => {
      const currentStep = pick % steps.length;
      const c = chart();
      const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { steps, currentStep, canaryMatches: undefined }));
      const out = Testing.synth(c);
      const weights: number[] = provider === 'istio'
        ? one(out, 'VirtualService').spec.http[0].route.map((r: any) => r.weight)
        : one(out, 'HTTPRoute').spec.rules[0].backendRefs.map((b: any) => b.weight);
      expect(release.canaryWeight).toBe(steps[currentStep]);
      expect(weights).toEqual([100 - steps[currentStep], steps[currentStep]]);
      expect(weights[0] + weights[1]).toBe(100);
    }), { numRuns: 150 });
  });

  test('any plan that is not strictly increasing within 0..100 and ending at 100 is rejected', () => {
    const anySteps = fc.array(fc.oneof(fc.integer({ min: -10, max: 120 }), fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 8 });
    const isValid = (s: number[]) => s.length > 0 && s[s.length - 1] === 100
      && s.every((x, i) => Number.isInteger(x) && x >= 0 && x <= 100 && (i === 0 || x > s[i - 1]));
    fc.assert(fc.property(anySteps.filter(s => !isValid(s)), (steps) => {
      expect(() => new CanaryRelease(chart(), 'reviews', reviewsCanary('istio', { steps, currentStep: 0 })))
        .toThrow(/'steps' \(.*\) must be strictly increasing integers in 0..100 ending at 100/);
    }), { numRuns: 300 });
  });
});
