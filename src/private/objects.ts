/**
 * `{ ...base, ...fields }`, built so that objects of one shape share one hidden class. In V8 (node
 * 20), an object literal that spreads `base` and then adds a property `base` does not have gets
 * a hidden class of its own, every time: the intents and objects of a large program then number
 * thousands of classes, and every read of them is a slow, megamorphic one. `Object.assign` onto
 * a new object follows the shared transitions instead. (Typed `T & U`: callers give `fields` of
 * the types `base` has for them.)
 */
export function extend<T extends object, U extends object>(base: T, fields: U): T & U {
  return Object.assign({}, base, fields);
}
