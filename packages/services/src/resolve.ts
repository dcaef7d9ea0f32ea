/**
 * Which backend serves each needed service (ARCHITECTURE.md "Services", resolution, first match wins):
 *   1. DATABASE_URL / REDIS_URL set -> used as given (never silently replaced);
 *   2. a Docker engine answers (skipped with MLOPS_LAB_NO_DOCKER=1) -> docker compose;
 *   3. embedded (PGlite on a loopback socket, redis-server from PATH).
 * Pure decision logic: the engine check is injected, so it is unit-tested without Docker.
 */

import { dockerDisabled } from './docker.ts';
import type { BackendKind, ServiceNeed } from './types.ts';

export interface Plan {
  postgres?: BackendKind;
  redis?: BackendKind;
  /** `pgvector` was asked for: `CREATE EXTENSION vector` must succeed. */
  vector: boolean;
  /** Whether the engine check ran and what it said (for the log and `services:status`). */
  docker: 'disabled' | 'not-asked' | 'answers' | 'no-engine';
}

export function wantsPostgres(needs: readonly ServiceNeed[]): boolean {
  return needs.includes('postgres') || needs.includes('pgvector');
}

export async function planBackends(
  needs: readonly ServiceNeed[],
  env: NodeJS.ProcessEnv,
  engineAnswers: () => Promise<boolean>,
): Promise<Plan> {
  const plan: Plan = { vector: needs.includes('pgvector'), docker: 'not-asked' };
  const pending: ('postgres' | 'redis')[] = [];
  if (wantsPostgres(needs)) {
    if (env.DATABASE_URL) plan.postgres = 'env';
    else pending.push('postgres');
  }
  if (needs.includes('redis')) {
    if (env.REDIS_URL) plan.redis = 'env';
    else pending.push('redis');
  }
  if (pending.length === 0) return plan;

  let kind: BackendKind = 'embedded';
  if (dockerDisabled(env)) {
    plan.docker = 'disabled';
  } else if (await engineAnswers()) {
    plan.docker = 'answers';
    kind = 'docker';
  } else {
    plan.docker = 'no-engine';
  }
  for (const service of pending) plan[service] = kind;
  return plan;
}

/** The compose services to bring up for a plan. */
export function composeServicesFor(plan: Plan): ('postgres' | 'redis')[] {
  const services: ('postgres' | 'redis')[] = [];
  if (plan.postgres === 'docker') services.push('postgres');
  if (plan.redis === 'docker') services.push('redis');
  return services;
}
