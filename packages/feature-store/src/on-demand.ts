/**
 * On-demand features (Q10, Q5): values computed at request time from request data and materialized
 * features, for what must be fresh ("seconds since the last event" is stale the moment it is stored).
 * Feast's on-demand feature views, reduced to one rule that prevents training-serving skew: a
 * definition holds ONE compute function, and both paths call that same function object, on inputs
 * declared up front. Training (`applyOnDemand`) feeds it the point-in-time row and the row's
 * timestamp as the request time; serving (`serveOnDemand`) feeds it the online values and `now`.
 * The function only sees its declared inputs, so it cannot quietly depend on something one path lacks.
 */
import { isSqlIdentifier } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import { getOnlineFeatures } from './online.ts';
import type { OnlineStore } from './online-keys.ts';
import { checkNotReserved, keyedObject, ownValue } from './safe-keys.ts';
import type { FeatureType, FeatureValue, FeatureView } from './types.ts';
import type { EntityKeys } from './validate.ts';

/** The request field both paths fill with the prediction time (training: the entity row's timestamp). */
export const REQUEST_TIME = 'request_time';

export type OnDemandInputValues = Readonly<Record<string, FeatureValue>>;

export interface OnDemandFeatureSpec {
  name: string;
  type?: FeatureType;
  description?: string;
  inputs: {
    /** Request fields, e.g. `request_time`, or an amount that only exists in the request. */
    request?: readonly string[];
    /** Materialized features as `view:feature`; a value the store did not serve arrives as null. */
    online?: readonly string[];
  };
  compute: (request: OnDemandInputValues, online: OnDemandInputValues) => FeatureValue;
}

export interface OnDemandFeature {
  readonly name: string;
  readonly type: FeatureType;
  readonly description: string;
  readonly inputs: { readonly request: readonly string[]; readonly online: readonly string[] };
  readonly compute: OnDemandFeatureSpec['compute'];
}

/** Validates and freezes a definition; `compute` is kept as the very same function object. */
export function defineOnDemandFeature(spec: OnDemandFeatureSpec): OnDemandFeature {
  const bad = (what: string) =>
    new FeatureStoreError(`on-demand feature "${spec?.name}": ${what}`, 'INVALID_VIEW');
  if (!isSqlIdentifier(spec?.name))
    throw bad('the name must be a plain SQL identifier (lower case, digits, _)');
  // Both become keys of plain objects (a training row's values, the compute's request).
  checkNotReserved(spec.name, 'on-demand feature');
  if (typeof spec.compute !== 'function') throw bad('compute must be a function (request, online) => value');
  const request = [...(spec.inputs?.request ?? [])];
  const online = [...(spec.inputs?.online ?? [])];
  for (const r of request) {
    if (typeof r !== 'string' || r === '') throw bad(`request input ${JSON.stringify(r)}`);
    checkNotReserved(r, `on-demand feature "${spec.name}": request input`);
  }
  for (const ref of online) {
    const [view, feature, extra] = String(ref).split(':');
    if (extra !== undefined || !isSqlIdentifier(view) || !isSqlIdentifier(feature)) {
      throw bad(`online input ${JSON.stringify(ref)} must be written view:feature`);
    }
  }
  if (request.length + online.length === 0) throw bad('declare at least one input');
  return Object.freeze({
    name: spec.name,
    type: spec.type ?? 'float',
    description: spec.description ?? '',
    inputs: Object.freeze({ request: Object.freeze(request), online: Object.freeze(online) }),
    compute: spec.compute,
  });
}

function pick(def: OnDemandFeature, kind: 'request' | 'online', from: Readonly<Record<string, unknown>>) {
  const out = keyedObject<FeatureValue>();
  for (const name of def.inputs[kind]) {
    const v = ownValue(from, name);
    if (v === undefined) {
      throw new FeatureStoreError(
        `on-demand feature "${def.name}" needs ${kind} input "${name}" (pass null for a value that is absent)`,
        'INVALID_INPUT',
      );
    }
    out[name] = v as FeatureValue;
  }
  return Object.freeze(out);
}

/** Calls the definition's compute on exactly its declared inputs; the result must be a feature value. */
export function computeOnDemand(
  def: OnDemandFeature,
  request: Readonly<Record<string, unknown>>,
  online: Readonly<Record<string, unknown>>,
): FeatureValue {
  const value = def.compute(pick(def, 'request', request), pick(def, 'online', online));
  if (value !== null && typeof value !== 'number' && typeof value !== 'string') {
    throw new FeatureStoreError(
      `on-demand feature "${def.name}" computed ${String(value)}, not a feature value`,
    );
  }
  return value;
}

/** A training row as the offline store returns it (`HistoricalRow` fits). */
export interface TrainingRow {
  keys?: EntityKeys;
  timestamp: number;
  values: Record<string, FeatureValue>;
}

/**
 * Training path: adds `def.name` to every row's values. An online input `view:feature` is read from
 * the row's `view__feature` (full feature names) or `feature` column; the request is the row's keys
 * and `request_time` = the row's timestamp, unless `request` says otherwise.
 */
export function applyOnDemand<R extends TrainingRow>(
  def: OnDemandFeature,
  rows: readonly R[],
  options: { request?: (row: R) => Record<string, unknown> } = {},
): R[] {
  const columns = def.inputs.online.map((ref) => {
    const [view, feature] = ref.split(':');
    return { ref, full: `${view}__${feature}`, feature };
  });
  return rows.map((row, i) => {
    const online: Record<string, FeatureValue> = {};
    for (const c of columns) {
      const has = (column: string) => Object.hasOwn(row.values, column);
      const column = has(c.full) ? c.full : has(c.feature) ? c.feature : null;
      if (column === null) {
        throw new FeatureStoreError(
          `training row #${i} has no column for "${c.ref}" (looked for ${c.full} and ${c.feature}); ` +
            `request "${c.ref}" from getHistoricalFeatures`,
          'UNKNOWN_FEATURE',
        );
      }
      online[c.ref] = row.values[column];
    }
    const request = options.request ? options.request(row) : { ...row.keys, [REQUEST_TIME]: row.timestamp };
    return { ...row, values: { ...row.values, [def.name]: computeOnDemand(def, request, online) } };
  });
}

export interface ServedOnDemand {
  keys: EntityKeys;
  value: FeatureValue;
  /** `view:feature` -> why the online store served no value (the compute saw null). */
  missing: Record<string, string>;
}

/**
 * Serving path: reads the online inputs (one pipelined read per view) at `now` and computes per
 * entity, with the request = keys, `request_time` = now, and `request` on top.
 */
export async function serveOnDemand(
  store: OnlineStore,
  def: OnDemandFeature,
  views: readonly FeatureView[],
  entityKeys: readonly EntityKeys[],
  options: { now: number; request?: Record<string, unknown> },
): Promise<ServedOnDemand[]> {
  const byView = new Map<FeatureView, string[]>();
  for (const ref of def.inputs.online) {
    const [viewName, feature] = ref.split(':');
    const view = views.find((v) => v.name === viewName);
    if (!view) {
      throw new FeatureStoreError(
        `on-demand feature "${def.name}" reads "${ref}", but no view "${viewName}" was given ` +
          `(given: ${views.map((v) => v.name).join(', ') || 'none'})`,
        'UNKNOWN_FEATURE',
      );
    }
    byView.set(view, [...(byView.get(view) ?? []), feature]);
  }
  const reads = await Promise.all(
    [...byView].map(async ([view, features]) => ({
      view,
      rows: await getOnlineFeatures(store, view, entityKeys, { features, now: options.now }),
    })),
  );
  return entityKeys.map((keys, i) => {
    const online: Record<string, FeatureValue> = {};
    const missing: Record<string, string> = {};
    for (const { view, rows } of reads) {
      for (const feature of byView.get(view) ?? []) {
        const ref = `${view.name}:${feature}`;
        online[ref] = rows[i].values[feature] ?? null;
        const reason = ownValue(rows[i].missing, feature);
        if (reason !== undefined) missing[ref] = reason;
      }
    }
    const request = { ...keys, [REQUEST_TIME]: options.now, ...options.request };
    return { keys, value: computeOnDemand(def, request, online), missing };
  });
}

/**
 * The shipped example: seconds from the entity's last event (`ref`, a materialized ms timestamp
 * written `view:feature`) to the request time; null when the store has no value (never seen, or
 * stale). The caller names the view: the library knows no domain's views.
 */
export function secondsSinceLastEvent(ref: string): OnDemandFeature {
  return defineOnDemandFeature({
    name: 'seconds_since_last_event',
    type: 'float',
    description: `seconds from ${ref} to the request time`,
    inputs: { request: [REQUEST_TIME], online: [ref] },
    compute: (request, online) => {
      const now = request[REQUEST_TIME];
      const last = online[ref];
      return typeof now === 'number' && typeof last === 'number' ? (now - last) / 1000 : null;
    },
  });
}
