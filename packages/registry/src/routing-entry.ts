/**
 * `@mlops-lab/registry/routing`: routing as configuration (Q15, Q18), an entry of its own so that a
 * server or router following a table imports routing (and the version lookup that resolves its
 * targets), not the artifact store or the migrations. The table, its history and validation
 * (routing.ts), the watcher that follows it in Postgres with Redis notices (routing-watch.ts), the
 * table in force with its targets resolved and prepared (routing-follow.ts), and sticky assignment
 * (routing-assign.ts). Reference: KServe / Seldon canary traffic percentages.
 */
export {
  checkRoutingShape,
  getRouting,
  type RoutingChange,
  type RoutingChangeInput,
  type RoutingConfig,
  type RoutingStore,
  readRouting,
  routingHistory,
  routingKey,
  routingMigrations,
  type SetRoutingResult,
  type StoredRouting,
  setRouting,
  validateRouting,
} from './routing.ts';
export { assign, chooseTarget, stickyDraw } from './routing-assign.ts';
export {
  type FollowOptions,
  type FollowStage,
  type RegistrySourceOptions,
  type RouteRow,
  RoutingFollower,
  registryTableSource,
  type TableSource,
} from './routing-follow.ts';
export { type RoutingWatch, type WatchHealth, type WatchOptions, watchRouting } from './routing-watch.ts';
