/**
 * The activity view's two stores for a test file (Q6, Q8): Postgres and Redis from the services
 * fixture, the view's source table holding a history before the first test, and the services as a
 * materialization target, its Redis keys under a scope when a test wants a key space of its own.
 * The materialization, consistency and on-demand tests start from it.
 */
import type { ServicesWithExtras } from '@mlops-lab/services';
import { testServices } from '@mlops-lab/services/vitest';
import type pg from 'pg';
import type { MaterializeTarget } from '../materialize.ts';
import { createSourceTable, insertFeatureRows } from '../offline-source.ts';
import type { OnlineRow } from '../online.ts';
import type { FeatureView } from '../types.ts';
import { activityView } from './activity.ts';

export interface ActivityStore {
  services: ServicesWithExtras;
  /** The services as a materialization target; with `scope`, its Redis keys are `<scope>:<name>`. */
  target(scope?: string): MaterializeTarget;
}

/**
 * Registers the file's set-up and close. `createSource` makes the source table (default the offline
 * store's own, text join keys; testing/activity.ts `createBigintSource` for a warehouse-made one).
 */
export function activityStore(
  namespace: string,
  history: readonly OnlineRow[],
  createSource: (pool: pg.Pool, view: FeatureView) => Promise<void> = createSourceTable,
): ActivityStore {
  const services = testServices({
    needs: ['postgres', 'redis'],
    namespace,
    prepare: async (s) => {
      await createSource(s.pg, activityView);
      await insertFeatureRows(s.pg, activityView, history);
    },
  });
  const target = (scope?: string): MaterializeTarget => ({
    pg: services.pg,
    redis: services.redis,
    key: (name) => services.key(scope === undefined ? name : `${scope}:${name}`),
    migrate: (owner, migrations) => services.migrate(owner, migrations),
  });
  return { services, target };
}
