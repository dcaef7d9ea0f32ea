/**
 * `pnpm registry <command>`: the registry from the command line (Q18), on the kept `registry` schema
 * that `pnpm train` writes and `pnpm serve` reads.
 *
 *   pnpm registry list <name>                              versions with lineage and metrics
 *   pnpm registry history <name> [alias]                   every alias move: when, from, to, why
 *   pnpm registry alias <name> <alias> <version> --reason "why"
 *   pnpm registry route <name> [target=weight ...]         show, or set, the routing table
 *
 * A routing table lives in Redis; with the embedded Redis (one per process, no persistence) a table
 * set here would vanish on exit, so `route` needs a shared Redis (REDIS_URL or `pnpm services:up`).
 */
import { parseArgs } from 'node:util';
import { acquire } from '@mlops-lab/services';
import { RegistryError } from './errors.ts';
import { aliasHistory, listVersions, setAlias } from './models.ts';
import { getRouting, type RoutingConfig, setRouting } from './routing.ts';
import { migrateRegistry } from './schema.ts';

const USAGE = `usage:
  pnpm registry list <name>
  pnpm registry history <name> [alias]
  pnpm registry alias <name> <alias> <version> --reason "why"
  pnpm registry route <name> [target=weight ...]   (e.g. champion=95 3=5)`;

class UsageError extends Error {}

function parseTable(pairs: string[]): RoutingConfig {
  const table: RoutingConfig = {};
  for (const pair of pairs) {
    const m = /^([^=\s]+)=(\d+)$/.exec(pair);
    if (!m) throw new UsageError(`"${pair}" is not target=weight (e.g. champion=95)`);
    table[m[1]] = Number(m[2]);
  }
  return table;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { reason: { type: 'string' } },
  });
  const [command, name, ...rest] = positionals;
  if (!command || !name || !['list', 'history', 'alias', 'route'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const needsRedis = command === 'route';
  const services = await acquire({
    needs: needsRedis ? ['postgres', 'redis'] : ['postgres'],
    namespace: 'registry',
    keep: true,
  });
  try {
    await migrateRegistry(services);
    if (command === 'list') {
      const versions = await listVersions(services.pg, name);
      if (versions.length === 0) console.log(`no versions of ${name} (pnpm train registers one)`);
      for (const v of versions) {
        const auc = v.metrics.auc === null || v.metrics.auc === undefined ? '-' : v.metrics.auc.toFixed(3);
        console.log(
          `${name}@${v.version}  artifact ${v.hash.slice(0, 12)}  AUC ${auc}  code ${v.codeVersion?.slice(0, 7) ?? 'unknown'}  ` +
            `${v.createdAt.toISOString()}  data: ${v.dataRef}`,
        );
      }
    } else if (command === 'history') {
      for (const h of await aliasHistory(services.pg, name, rest[0])) {
        console.log(
          `${h.changedAt.toISOString()}  ${h.alias}: ${h.fromVersion ?? '-'} -> ${h.toVersion}  (${h.reason})`,
        );
      }
    } else if (command === 'alias') {
      const [alias, version] = rest;
      if (!alias || !/^\d+$/.test(version ?? '')) throw new UsageError(USAGE);
      if (!values.reason) throw new UsageError('an alias move needs --reason "why" (it is the audit trail)');
      const change = await setAlias(services.pg, name, alias, Number(version), values.reason);
      console.log(`${name}@${alias}: ${change.fromVersion ?? '-'} -> ${change.toVersion}`);
    } else {
      if (services.backends.redis?.kind === 'embedded') {
        console.error(
          'routing tables live in Redis, and the embedded Redis lives only as long as this command: ' +
            'set REDIS_URL (and DATABASE_URL) to shared servers, or run pnpm services:up (Docker)',
        );
        return 1;
      }
      if (rest.length > 0) await setRouting(services, name, parseTable(rest));
      const table = await getRouting(services, name);
      console.log(
        table ? `${name}: ${JSON.stringify(table)}` : `${name}: no table (servers use { champion: 100 })`,
      );
    }
    return 0;
  } finally {
    await services.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    console.error(error instanceof RegistryError ? `refused: ${error.message}` : String(error));
    process.exitCode = 1;
  },
);
