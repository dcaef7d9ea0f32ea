/**
 * `@mlops-lab/registry/routing`: routing as configuration (Q15, Q18), an entry of its own so that a
 * server or router following a table imports routing (and the version lookup that resolves its
 * targets), not the artifact store or the migrations. The table in force with its targets resolved
 * and prepared (routing-follow.ts), the source that follows the registry's table in Postgres with
 * Redis notices (routing-watch.ts), sticky assignment (routing-assign.ts), and the shape check of a
 * table (routing.ts), with the types these signatures name. Writing a table and reading its history
 * are the root entry's. Reference: KServe / Seldon canary traffic percentages.
 */
export { checkRoutingShape, type RoutingConfig, type RoutingStore } from './routing.ts';
export { assign, stickyDraw } from './routing-assign.ts';
export {
  type FollowOptions,
  type FollowStage,
  type RegistrySourceOptions,
  type RouteRow,
  RoutingFollower,
  registryTableSource,
  type TableSource,
} from './routing-follow.ts';
export type { RoutingWatch, WatchHealth } from './routing-watch.ts';
