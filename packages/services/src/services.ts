/**
 * `acquire()`: resolves each needed service (env -> Docker -> embedded, see resolve.ts), connects,
 * prepares the namespace, and returns the Services a lab, test or benchmark uses; `close()` undoes
 * all of it. ARCHITECTURE.md "Services".
 *
 * Namespacing: per run, schema `run_<ns>_<id>` and key prefix `run:<ns>:<id>:`, dropped on close;
 * with keep, `mlops_<ns>` / `mlops:<ns>:`, kept. Embedded Postgres is one PGlite per acquire: its
 * single session would otherwise share search_path between Services (ephemeral ones start from a
 * cached template in ~0.5 s; the on-disk one can be open once at a time, guarded by a lock).
 */
import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import type pg from 'pg';
import { composeUp, dockerEngineAnswersCached, dockerUrls } from './docker.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from './embedded-redis.ts';
import { errorMessage, maskUrl, ServiceError } from './errors.ts';
import { migrate } from './migrate.ts';
import { ownerOf } from './owner.ts';
import { createPool, prepareDatabase, probePostgres, type SourceOfUrl } from './postgres.ts';
import { createRedis, deleteByPrefix, probeRedis } from './redis.ts';
import { type RemovedRedis, removeOrphanRedisServers } from './redis-owners.ts';
import { composeServicesFor, planBackends } from './resolve.ts';
import { type RemovedSchema, removeDeadRunSchemas } from './run-schemas.ts';
import { trackOpen } from './shutdown.ts';
import { quoteIdent } from './sql.ts';
import type { AcquireOptions, BackendInfo, Migration, Services } from './types.ts';

/** Lowercase, [a-z0-9_] only, no leading digit issues (the schema always has a prefix), at most 40 chars. */
export function sanitizeNamespace(namespace: string): string {
  const clean = namespace
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  if (!clean) throw new Error(`namespace ${JSON.stringify(namespace)} has no usable characters [a-z0-9_]`);
  return clean;
}

/** Schema and key prefix for a namespace; `id` is random per run (8 base-36 chars) unless keep. */
export function namesFor(
  namespace: string,
  keep: boolean,
  id = runId(),
): { schema: string; keyPrefix: string } {
  const ns = sanitizeNamespace(namespace);
  return keep
    ? { schema: `mlops_${ns}`, keyPrefix: `mlops:${ns}:` }
    : { schema: `run_${ns}_${id}`, keyPrefix: `run:${ns}:${id}:` };
}

/**
 * The line a start prints when it removed what dead runs left, or undefined when there was nothing:
 * `services: removed 3 schemas and 1 redis-server left by dead runs (pids 123, 456; 1 with no owner record)`.
 */
export function leftoversLine(
  schemas: readonly RemovedSchema[],
  servers: readonly RemovedRedis[],
): string | undefined {
  if (schemas.length + servers.length === 0) return undefined;
  const count = (n: number, what: string) => (n === 0 ? [] : [`${n} ${what}${n > 1 ? 's' : ''}`]);
  const owners = [...schemas.map((s) => s.ownerPid), ...servers.map((r) => r.ownerPid)];
  const pids = [...new Set(owners.filter((pid) => pid !== undefined))].sort((a, b) => a - b);
  const unrecorded = schemas.filter((s) => s.ownerPid === undefined).length;
  const details = [
    ...(pids.length > 0 ? [`pid${pids.length > 1 ? 's' : ''} ${pids.join(', ')}`] : []),
    ...(unrecorded > 0 ? [`${unrecorded} with no owner record`] : []),
  ];
  const what = [...count(schemas.length, 'schema'), ...count(servers.length, 'redis-server')];
  return `services: removed ${what.join(' and ')} left by dead runs (${details.join('; ')})`;
}

function runId(): string {
  const n = randomBytes(6).readUIntBE(0, 6);
  return n.toString(36).padStart(8, '0').slice(-8);
}

class LabServices implements Services {
  readonly schema: string;
  readonly keyPrefix: string;
  readonly backends: { postgres?: BackendInfo; redis?: BackendInfo } = {};
  pool?: pg.Pool;
  client?: Redis;
  /** Set once this run's schema exists: only then does close() drop it (a failed acquire has none). */
  schemaReady = false;
  /** Clients made by redis.duplicate() / newRedis(), disconnected on close. */
  readonly extraClients = new Set<Redis>();
  embeddedPostgres?: EmbeddedPostgres;
  embeddedRedis?: EmbeddedRedis;
  private closing?: Promise<void>;
  untrack: () => void = () => {};

  constructor(
    readonly options: AcquireOptions,
    names: { schema: string; keyPrefix: string },
  ) {
    this.schema = names.schema;
    this.keyPrefix = names.keyPrefix;
  }

  get pg(): pg.Pool {
    if (!this.pool) throw this.notNeeded('pg', 'postgres', "'postgres' (or 'pgvector')");
    return this.pool;
  }

  get redis(): Redis {
    if (!this.client) throw this.notNeeded('redis', 'redis', "'redis'");
    return this.client;
  }

  /** NOT_NEEDED: `services.<property>` was used, but `service` is not in needs; `add` is the need to add. */
  private notNeeded(property: string, service: string, add: string): ServiceError {
    return new ServiceError(
      'NOT_NEEDED',
      `services.${property} used, but ${service} is not in needs (${this.options.needs.join(', ') || 'none'})`,
      `Add ${add} to \`needs\` in acquire() / the lab definition.`,
    );
  }

  key(name: string): string {
    return `${this.keyPrefix}${name}`;
  }

  /**
   * A further Redis connection to the same server (e.g. BullMQ workers need
   * `{ maxRetriesPerRequest: null }`, blocking reads need their own). Closed by close().
   */
  newRedis(options: RedisOptions = {}): Redis {
    return this.redis.duplicate(options); // throws NOT_NEEDED; tracked, see acquire()
  }

  migrate(owner: string, migrations: Migration[]): Promise<void> {
    return migrate(this.pg, this.schema, owner, migrations).then(() => {});
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown> | undefined) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    if (!this.options.keep) {
      const { pool, client } = this;
      if (pool && this.schemaReady) {
        await attempt(() => pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`));
      }
      if (client?.status === 'ready') await attempt(() => deleteByPrefix(client, this.keyPrefix));
    }
    await attempt(() => this.pool?.end());
    for (const client of [...this.extraClients, ...(this.client ? [this.client] : [])]) {
      // quit() waits for replies; a client stuck reconnecting would never get one.
      await attempt(() => (client.status === 'ready' ? client.quit() : Promise.resolve(client.disconnect())));
    }
    await attempt(() => this.embeddedPostgres?.stop());
    await attempt(() => this.embeddedRedis?.stop());
    this.untrack();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several steps of Services.close() failed');
  }
}

/**
 * Resolves, starts and connects what `options.needs` asks for. Prints one line per service via
 * `options.log`. On failure everything started so far is stopped again before the error is thrown.
 */
export async function acquire(options: AcquireOptions): Promise<ServicesWithExtras> {
  const log = options.log ?? ((line: string) => console.error(line));
  const env = process.env;
  const services = new LabServices(options, namesFor(options.namespace, options.keep ?? false));
  services.untrack = trackOpen(() => services.close());
  // What runs killed without closing left: their redis-servers now, their schemas once connected.
  const orphans = removeOrphanRedisServers(env);
  const reportLeftovers = (schemas: RemovedSchema[]) => {
    const line = leftoversLine(schemas, orphans);
    if (line) log(line);
  };
  try {
    const plan = await planBackends(options.needs, env, dockerEngineAnswersCached);
    const compose = composeServicesFor(plan);
    if (compose.length > 0) await composeUp(compose);
    if (!plan.postgres) reportLeftovers([]);

    if (plan.postgres) {
      let source: SourceOfUrl;
      let label: string;
      if (plan.postgres === 'env') {
        source = { variable: 'DATABASE_URL', url: env.DATABASE_URL! };
        label = `DATABASE_URL ${maskUrl(source.url)}`;
      } else if (plan.postgres === 'docker') {
        source = { variable: 'docker compose', url: dockerUrls(env).postgres };
        label = `docker compose pgvector/pgvector:pg16 on ${new URL(source.url).host}`;
      } else {
        services.embeddedPostgres = await startEmbeddedPostgres({
          ephemeral: options.ephemeral ?? false,
          env,
        });
        source = { variable: 'embedded', url: services.embeddedPostgres.url };
        label = services.embeddedPostgres.label;
      }
      services.pool = createPool(source.url, services.schema, plan.postgres);
      await probePostgres(services.pool, source);
      let removed: RemovedSchema[] = [];
      if (!(plan.postgres === 'embedded' && options.ephemeral)) {
        // Best effort: a sweep that fails is said, and never fails the run.
        const sweep = await removeDeadRunSchemas(services.pool, plan.postgres === 'embedded').catch(
          (error: unknown) => ({ removed: [], failed: [{ schema: 'run_*', error: errorMessage(error) }] }),
        );
        removed = sweep.removed;
        for (const { schema, error } of sweep.failed) {
          log(
            `services: could not remove ${schema} left by a dead run (the next start tries again): ${error}`,
          );
        }
      }
      reportLeftovers(removed);
      const owner = options.keep ? undefined : ownerOf();
      await prepareDatabase(services.pool, services.schema, plan.vector, source, owner);
      services.schemaReady = true;
      services.backends.postgres = { kind: plan.postgres, url: maskUrl(source.url) };
      log(`postgres: ${label}, schema ${services.schema}`);
    }

    if (plan.redis) {
      let source: SourceOfUrl;
      if (plan.redis === 'embedded') {
        services.embeddedRedis = await startEmbeddedRedis(env);
        source = { variable: 'embedded', url: services.embeddedRedis.url };
      } else {
        source = {
          variable: plan.redis === 'env' ? 'REDIS_URL' : 'docker compose',
          url: plan.redis === 'env' ? env.REDIS_URL! : dockerUrls(env).redis,
        };
        await probeRedis(source);
      }
      const client = createRedis(source.url);
      // Track duplicates (blocking readers, BullMQ) so close() disconnects them too: a forgotten one
      // would otherwise keep reconnecting to a stopped embedded redis-server and hold the process open.
      const duplicate = client.duplicate.bind(client);
      client.duplicate = (override?: Partial<RedisOptions>) => {
        const copy = duplicate(override);
        copy.on('error', () => {});
        services.extraClients.add(copy);
        return copy;
      };
      services.client = client;
      const version = /redis_version:(\S+)/.exec(await services.client.info('server'))?.[1] ?? '?';
      services.backends.redis = { kind: plan.redis, url: maskUrl(source.url) };
      const where =
        plan.redis === 'embedded'
          ? `embedded redis-server ${version} on 127.0.0.1:${services.embeddedRedis!.port} (no persistence)`
          : `${source.variable} ${maskUrl(source.url)} (Redis ${version})`;
      log(`redis: ${where}, keys ${services.keyPrefix}*`);
    }
    return services;
  } catch (error) {
    // Nothing of a failed acquire outlives it: started servers are stopped, open clients closed.
    await services.close().catch(() => {});
    throw error;
  }
}

/** Services plus the additions of this implementation (not in the shared contract). */
export type ServicesWithExtras = Services & {
  /** A further Redis connection to the same server, closed by close() (BullMQ: `{ maxRetriesPerRequest: null }`). */
  newRedis(options?: RedisOptions): Redis;
};
