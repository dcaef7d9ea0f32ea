/**
 * Names that a plain JavaScript object cannot hold as data, and reads that never see inherited
 * members. `values.__proto__ = 1.5` sets the prototype (the key is gone, and `values.__proto__`
 * reads back Object.prototype); `constructor`, `toString`, ... are inherited, so `name in values`
 * is true and `values[name]` a function on every object. A feature, view, join key or request field
 * by such a name would be stored and then lost or read back as something else, so definitions refuse
 * them, and objects keyed by caller-given names are built with no prototype. Reference: ECMAScript
 * spec, Object.prototype properties and the __proto__ accessor (Annex B).
 */
import { FeatureStoreError } from './errors.ts';

/** Every member of Object.prototype, and `prototype` (a function's own member). */
const RESERVED: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export function isReservedName(name: string): boolean {
  return RESERVED.has(name);
}

/** Throws INVALID_VIEW for a reserved `name`; `where` says whose (`feature view "v": feature`). */
export function checkNotReserved(name: string, where: string): string {
  if (isReservedName(name)) {
    throw new FeatureStoreError(
      `${where} "${name}" is reserved: every JavaScript object already has a member by that name, ` +
        'so its values would be lost or read back as something else; choose another name',
      'INVALID_VIEW',
    );
  }
  return name;
}

/** `object[key]` only when it is the object's own property, else undefined (never an inherited member). */
export function ownValue<T>(
  object: Readonly<Record<string, T>> | null | undefined,
  key: string,
): T | undefined {
  return object !== null && object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

/** An empty object with no prototype: any key, `__proto__` included, is stored as data. */
export function keyedObject<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
