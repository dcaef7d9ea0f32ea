/**
 * Keeping a routing table in force while serving (Q15, Q18): the one routing core of the model
 * server (several versions in one process) and the router (one model server per version). A
 * follower takes the stored table as `watchRouting` reports it (the fallback while none is stored),
 * resolves its targets (aliases or versions) to versions, lets the caller make those versions ready
 * (`prepare`: a model server loads and warms them; the router has nothing to prepare), and only then
 * puts the table in force. Tables are applied one at a time in the order they came, and one
 * superseded while it waited is skipped, so a slow load of an old table never lands after a newer
 * one. The targets are re-resolved on a timer, one pass at a time, so an alias move (a rollback of
 * `champion`) reaches a running follower with the table unchanged. Whatever fails (a store away, a
 * target gone, a version that does not load), the last good table stays in force and the failure is
 * reported with its stage. Requests are assigned by `assign` (routing-assign.ts), sticky per key.
 * Reference: Kubernetes informers and Envoy xDS (the last good configuration kept while the control
 * plane is away), KServe / Seldon canary traffic split by weight.
 */
import { resolve } from './aliases.ts';
import type { RoutingConfig, RoutingStore } from './routing.ts';
import { assign } from './routing-assign.ts';
import { type RoutingWatch, type WatchHealth, watchRouting } from './routing-watch.ts';

/** Where a follower gets its table from and what the table's targets name. */
export interface TableSource {
  readonly model: string;
  /** Subscribes to the stored table (null when none); a failed read goes to `onError` (which store). */
  watch(
    onChange: (config: RoutingConfig | null) => void,
    onError: (error: unknown, store: 'redis' | 'postgres') => void,
  ): RoutingWatch;
  /** target (alias or version) -> the version it names now. */
  resolve(target: string): Promise<string>;
  /** The table used while none is stored, e.g. `{ champion: 100 }`. */
  readonly fallback: RoutingConfig;
  /** Ms between re-resolutions of the targets (alias moves); default 1000. */
  readonly resolveEveryMs?: number;
}

export interface RegistrySourceOptions {
  /** Ms between notice polls (Redis); default 250. */
  pollMs?: number;
  /** Ms between table reads (Postgres) without a notice; default 5000. */
  tableEveryMs?: number;
  /** Ms between re-resolutions of the targets; default 1000. */
  resolveEveryMs?: number;
  /** The table while none is stored; default `{ champion: 100 }`. */
  fallback?: RoutingConfig;
}

/** The registry's table for `model` (Postgres, change notices in Redis), targets resolved in Postgres. */
export function registryTableSource(
  store: RoutingStore,
  model: string,
  options: RegistrySourceOptions = {},
): TableSource {
  return {
    model,
    watch: (onChange, onError) =>
      watchRouting(store, model, onChange, {
        intervalMs: options.pollMs ?? 250,
        tableEveryMs: options.tableEveryMs,
        onError,
      }),
    resolve: async (target) => String((await resolve(store.pg, `${model}@${target}`)).version),
    fallback: options.fallback ?? { champion: 100 },
    resolveEveryMs: options.resolveEveryMs,
  };
}

/** One row of the table in force: target, the version it resolved to, its weight. */
export interface RouteRow {
  target: string;
  version: string;
  weight: number;
}

/** Where following failed: reading the notice or the table, resolving a target, preparing a version. */
export type FollowStage = 'redis' | 'postgres' | 'resolve' | 'prepare';

export interface FollowOptions {
  /**
   * Makes the versions of a table ready before the table takes traffic (a model server loads and
   * warms those it does not hold yet). A throw keeps the table in force as it was.
   */
  prepare?(versions: readonly string[]): Promise<void>;
  /** A new table is in force (every version in it prepared). */
  applied?(rows: RouteRow[]): void;
  /** A failure; the last good table stays in force. */
  failed?(stage: FollowStage, error: unknown): void;
}

interface InForce {
  config: RoutingConfig;
  versions: Record<string, string>; // target -> version
}

export class RoutingFollower {
  private inForce: InForce | undefined;
  private wanted: RoutingConfig | undefined;
  private applying: Promise<void> = Promise.resolve();
  private rechecking = false;
  private stopped = false;
  private watch: RoutingWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private first: { resolve(): void; reject(error: unknown): void } | undefined;

  constructor(
    private readonly source: TableSource,
    private readonly options: FollowOptions = {},
  ) {}

  /**
   * Starts following. Resolves once a first table is in force (the stored one, else the fallback);
   * rejects when the latest table fails before any is in force: a caller without a table is not
   * ready. Either way the follower keeps following until `stop()`.
   */
  start(): Promise<void> {
    const started = new Promise<void>((resolveStart, rejectStart) => {
      this.first = { resolve: resolveStart, reject: rejectStart };
    });
    this.watch = this.source.watch(
      (config) => {
        this.wanted = config ?? this.source.fallback;
        void this.enqueue(this.wanted);
      },
      (error, store) => this.options.failed?.(store, error),
    );
    this.timer = setInterval(() => void this.recheck(), this.source.resolveEveryMs ?? 1000);
    this.timer.unref();
    return started;
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    clearInterval(this.timer);
  }

  /** How fresh the table in force is (null before `start`). */
  get health(): WatchHealth | null {
    return this.watch?.health() ?? null;
  }

  /** The table in force, one row per target (empty before the first one). */
  get rows(): RouteRow[] {
    const a = this.inForce;
    if (!a) return [];
    return Object.entries(a.config).map(([target, weight]) => ({
      target,
      version: a.versions[target],
      weight,
    }));
  }

  /** version -> weight in force: the weights of targets that name the same version added up. */
  get weights(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { version, weight } of this.rows) out[version] = (out[version] ?? 0) + weight;
    return out;
  }

  /** The version for one request: sticky when a routing key is given, else a random draw. */
  pick(key?: string | null): string {
    const a = this.inForce;
    if (!a) throw new Error(`RoutingFollower: no routing table for ${this.source.model} in force yet`);
    return a.versions[assign(a.config, key)];
  }

  /** Applies one table after another: a slow one never lets an older table overwrite a newer one. */
  private enqueue(config: RoutingConfig): Promise<void> {
    this.applying = this.applying.then(() => this.apply(config));
    return this.applying;
  }

  private async apply(config: RoutingConfig): Promise<void> {
    if (config !== this.wanted || this.stopped) return; // superseded while queued
    const versions: Record<string, string> = {};
    try {
      for (const target of Object.keys(config)) versions[target] = await this.source.resolve(target);
    } catch (error) {
      return this.fail(config, 'resolve', error);
    }
    try {
      await this.options.prepare?.([...new Set(Object.values(versions))]);
    } catch (error) {
      return this.fail(config, 'prepare', error);
    }
    this.inForce = { config, versions };
    this.options.applied?.(this.rows);
    this.first?.resolve();
    this.first = undefined;
  }

  private fail(config: RoutingConfig, stage: FollowStage, error: unknown): void {
    this.options.failed?.(stage, error);
    // Only the latest table decides the start: an older one that failed may be followed by a good one.
    if (!this.inForce && config === this.wanted) {
      this.first?.reject(error);
      this.first = undefined;
    }
  }

  /** An alias moved (e.g. a rollback of `champion`): re-apply the same table with the new versions. */
  private async recheck(): Promise<void> {
    const a = this.inForce;
    // One pass at a time: a hung Postgres does not pile resolutions up.
    if (!a || a.config !== this.wanted || this.rechecking) return;
    this.rechecking = true;
    try {
      for (const target of Object.keys(a.config)) {
        if ((await this.source.resolve(target)) !== a.versions[target]) {
          await this.enqueue(a.config);
          return;
        }
      }
    } catch (error) {
      this.options.failed?.('resolve', error);
    } finally {
      this.rechecking = false;
    }
  }
}
