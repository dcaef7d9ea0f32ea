/**
 * Serving several versions of one model by a routing table that is configuration, not code (Q18).
 * Following the table (stored in Postgres with its history, changes announced in Redis), re-resolving
 * aliases on a timer, applying one table at a time, keeping the last good table when a store is
 * away, and sticky assignment are the registry's routing core (`RoutingFollower`); what is left here
 * is what a model server adds: a version enters rotation only after it is loaded and warmed, and a
 * version out of rotation is dropped. Reference: KServe canary traffic percentages, Seldon weighted
 * candidates; the core is `@mlops-lab/registry`'s routing-follow.ts.
 */
import {
  type RegistrySourceOptions,
  type RouteRow,
  RoutingFollower,
  registryTableSource,
  type TableSource,
  type WatchHealth,
} from '@mlops-lab/registry/routing';
import type { Services } from '@mlops-lab/services';
import type { ServingModel } from './model.ts';
import { loadServingModel, registryInputSchema } from './tf-adapter.ts';

export type { RouteRow };

/** Where a routed server gets its table, its versions and their models from. */
export interface RoutingSource extends TableSource {
  load(version: string): Promise<ServingModel>;
  readonly inputSchema?: Record<string, unknown>;
}

/** The registry's routing table for `model` and its TF.js versions (Postgres + artifacts). */
export function registryRouting(
  services: Pick<Services, 'pg' | 'redis' | 'key'>,
  model: string,
  options: RegistrySourceOptions & { artifactsRoot?: string } = {},
): RoutingSource {
  return {
    ...registryTableSource(services, model, options),
    load: (version) =>
      loadServingModel(services, `${model}@${version}`, { artifactsRoot: options.artifactsRoot }),
    inputSchema: registryInputSchema,
  };
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

export class VersionRouter {
  private readonly models = new Map<string, ServingModel>();
  private readonly follower: RoutingFollower;

  constructor(
    source: RoutingSource,
    /** Warms a freshly loaded model before it takes traffic. */
    prepare: (model: ServingModel) => Promise<void>,
    events: RouterEvents,
  ) {
    this.follower = new RoutingFollower(source, {
      prepare: async (versions) => {
        for (const version of versions) {
          if (this.models.has(version)) continue;
          const model = await source.load(version);
          await prepare(model);
          this.models.set(version, model);
        }
      },
      applied: (rows) => {
        // Versions out of rotation are dropped; a request already holding one finishes with it.
        const used = new Set(rows.map((r) => r.version));
        for (const v of this.models.keys()) if (!used.has(v)) this.models.delete(v);
        events.applied(rows);
      },
      failed: (stage, error) => events.failed(stage === 'prepare' ? 'load' : stage, error),
    });
  }

  /** Resolves once a first table is in force (the stored one, else the fallback). */
  start(): Promise<void> {
    return this.follower.start();
  }

  stop(): void {
    this.follower.stop();
  }

  /** How fresh the table in force is (null before the watch started). */
  get health(): WatchHealth | null {
    return this.follower.health;
  }

  /** The model for one request: sticky when a routing key is given, else a fresh uniform draw. */
  pick(routingKey?: string): ServingModel {
    return this.models.get(this.follower.pick(routingKey))!;
  }

  get table(): RouteRow[] {
    return this.follower.rows;
  }

  get loaded(): ServingModel[] {
    return [...this.models.values()];
  }
}
