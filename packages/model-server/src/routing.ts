/**
 * Serving several versions of one model by a routing table that is configuration, not code (Q18).
 * The table (`target -> weight`, a target being a version or an alias) is stored in Postgres with
 * its history and watched while the server runs (a Redis notice makes a change reach the server
 * within a poll); aliases are re-resolved against the registry on a timer, so moving `champion` (a
 * rollback) also reaches a running server without a restart. A version enters rotation only after
 * it is loaded and warmed; until then, and whenever Redis or Postgres cannot be read, the last good
 * table keeps serving, and `health` says how long it has gone unconfirmed. Reference: KServe canary
 * traffic percentages, Seldon weighted candidates; the watcher itself is `watchRouting` of
 * @mlops-lab/registry.
 */
import {
  chooseTarget,
  type RoutingConfig,
  type RoutingWatch,
  resolve,
  type WatchHealth,
  watchRouting,
} from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import type { ServingModel } from './model.ts';
import { PAYMENT_SCHEMA } from './payments-model.ts';
import { loadServingModel } from './tf-adapter.ts';

/** Where a routed server gets its table, its versions and their models from. */
export interface RoutingSource {
  readonly model: string;
  /** Subscribes to the stored table (null when none); a failed read goes to `onError` (which store). */
  watch(
    onChange: (config: RoutingConfig | null) => void,
    onError: (error: unknown, store: 'redis' | 'postgres') => void,
  ): RoutingWatch;
  /** target (alias or version) -> the version it names now. */
  resolve(target: string): Promise<string>;
  load(version: string): Promise<ServingModel>;
  /** The table used while none is stored, e.g. `{ champion: 100 }`. */
  readonly fallback: RoutingConfig;
  /** Ms between re-resolutions of the targets (alias moves); default 1000. */
  readonly resolveEveryMs?: number;
  readonly inputSchema?: Record<string, unknown>;
}

/** The registry's routing table for `model` (Redis) and its TF.js versions (Postgres + artifacts). */
export function registryRouting(
  services: Pick<Services, 'pg' | 'redis' | 'key'>,
  model: string,
  options: {
    artifactsRoot?: string;
    /** Ms between notice polls (Redis); default 250. */
    pollMs?: number;
    /** Ms between table reads (Postgres) without a notice; default 5000. */
    tableEveryMs?: number;
    resolveEveryMs?: number;
    fallback?: RoutingConfig;
  } = {},
): RoutingSource {
  return {
    model,
    watch: (onChange, onError) =>
      watchRouting(services, model, onChange, {
        intervalMs: options.pollMs ?? 250,
        tableEveryMs: options.tableEveryMs,
        onError,
      }),
    resolve: async (target) => String((await resolve(services.pg, `${model}@${target}`)).version),
    load: (version) =>
      loadServingModel(services, `${model}@${version}`, { artifactsRoot: options.artifactsRoot }),
    fallback: options.fallback ?? { champion: 100 },
    resolveEveryMs: options.resolveEveryMs,
    inputSchema: PAYMENT_SCHEMA as unknown as Record<string, unknown>,
  };
}

/** One row of the table in force: target, the version it resolved to, its weight. */
export interface RouteRow {
  target: string;
  version: string;
  weight: number;
}

export interface RouterEvents {
  /** A new table is in force (every version in it loaded and warm). */
  applied(rows: RouteRow[]): void;
  /**
   * Reading the notice (`redis`) or the table (`postgres`), resolving or loading failed; `stage` says
   * which. The last good table stays.
   */
  failed(stage: 'redis' | 'postgres' | 'resolve' | 'load', error: unknown): void;
}

/**
 * The routing key hashed to [0, 1): the same key always lands on the same target. FNV-1a, then
 * MurmurHash3's 32-bit finalizer: FNV alone leaves the high bits of short, consecutive keys
 * ("u1", "u2", ...) correlated (34% of u1..u300 fell below 0.1), the finalizer spreads them.
 */
export function stickyDraw(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

interface Active {
  config: RoutingConfig;
  versions: Record<string, string>; // target -> version
}

export class VersionRouter {
  private active: Active | undefined;
  private readonly models = new Map<string, ServingModel>();
  private wanted: RoutingConfig | undefined;
  private applying: Promise<void> = Promise.resolve();
  private watch: RoutingWatch | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: RoutingSource,
    /** Warms a freshly loaded model before it takes traffic. */
    private readonly prepare: (model: ServingModel) => Promise<void>,
    private readonly events: RouterEvents,
  ) {}

  /** Resolves once a first table is in force (the stored one, else the fallback). */
  start(): Promise<void> {
    return new Promise((resolveStart, rejectStart) => {
      let first = true;
      const onChange = (config: RoutingConfig | null) => {
        this.wanted = config ?? this.source.fallback;
        const applied = this.enqueue(this.wanted);
        if (first) {
          first = false;
          // The first table must come up, or the server is not ready; later failures keep the old one.
          applied.then(() => (this.active ? resolveStart() : rejectStart(this.lastError)), rejectStart);
        }
      };
      this.watch = this.source.watch(onChange, (error, store) => this.events.failed(store, error));
      this.timer = setInterval(() => void this.recheckAliases(), this.source.resolveEveryMs ?? 1000);
      this.timer.unref();
    });
  }

  stop(): void {
    this.watch?.stop();
    clearInterval(this.timer);
  }

  /** How fresh the table in force is (null before the watch started). */
  get health(): WatchHealth | null {
    return this.watch?.health() ?? null;
  }

  /** The model for one request: sticky when a routing key is given, else a fresh uniform draw. */
  pick(routingKey?: string): ServingModel {
    const a = this.active;
    if (!a) throw new Error('VersionRouter: no routing table in force yet');
    const target = chooseTarget(a.config, routingKey ? stickyDraw(routingKey) : Math.random());
    return this.models.get(a.versions[target])!;
  }

  get table(): RouteRow[] {
    const a = this.active;
    if (!a) return [];
    return Object.entries(a.config).map(([target, weight]) => ({
      target,
      version: a.versions[target],
      weight,
    }));
  }

  get loaded(): ServingModel[] {
    return [...this.models.values()];
  }

  private lastError: unknown;

  /** Applies one table after another: a slow load never lets an older table overwrite a newer one. */
  private enqueue(config: RoutingConfig): Promise<void> {
    this.applying = this.applying.then(() => this.apply(config));
    return this.applying;
  }

  private async apply(config: RoutingConfig): Promise<void> {
    if (config !== this.wanted) return; // superseded while queued
    const versions: Record<string, string> = {};
    try {
      for (const target of Object.keys(config)) versions[target] = await this.source.resolve(target);
    } catch (error) {
      this.lastError = error;
      return this.events.failed('resolve', error);
    }
    try {
      for (const version of new Set(Object.values(versions))) {
        if (this.models.has(version)) continue;
        const model = await this.source.load(version);
        await this.prepare(model);
        this.models.set(version, model);
      }
    } catch (error) {
      this.lastError = error;
      return this.events.failed('load', error);
    }
    this.active = { config, versions };
    // Versions out of rotation are dropped; a request already holding one finishes with it.
    const used = new Set(Object.values(versions));
    for (const v of this.models.keys()) if (!used.has(v)) this.models.delete(v);
    this.events.applied(this.table);
  }

  /** An alias moved (e.g. a rollback of `champion`): re-apply the same table with the new versions. */
  private async recheckAliases(): Promise<void> {
    const a = this.active;
    if (!a || a.config !== this.wanted) return;
    try {
      for (const target of Object.keys(a.config)) {
        if ((await this.source.resolve(target)) !== a.versions[target]) {
          await this.enqueue(a.config);
          return;
        }
      }
    } catch (error) {
      this.events.failed('resolve', error);
    }
  }
}
