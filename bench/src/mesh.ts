/**
 * The library the bench measures: the compiled one in `lib/`, as a package's users get it.
 * `test/bench-programs.test.ts` maps this module to `src/` to run the programs small in jest.
 */
export * from '../../lib';
