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
 *
 * Names, aliases, versions and reasons are checked before any service starts. Exit 0 ok, 1 failure
 * or refusal, 2 usage error (one stderr line with the usage).
 */
import {
  acquire,
  errorMessage,
  parseCommandLine,
  runCommand,
  UsageError,
  usageCheck,
} from '@mlops-lab/services';
import { RegistryError } from './errors.ts';
import {
  aliasHistory,
  checkAlias,
  checkModelName,
  checkReason,
  listVersions,
  parseVersion,
  setAlias,
} from './models.ts';
import { getRouting, type RoutingConfig, setRouting } from './routing.ts';
import { migrateRegistry } from './schema.ts';

const COMMANDS = {
  list: 'list <name>',
  history: 'history <name> [alias]',
  alias: 'alias <name> <alias> <version> --reason "why"',
  route: 'route <name> [target=weight ...] (e.g. champion=95 3=5)',
} as const;
type Command = keyof typeof COMMANDS;
const usageOf = (command: Command) => `pnpm registry ${COMMANDS[command]}`;
const USAGE = `pnpm registry ${Object.values(COMMANDS).join(' | ')}`;

function parseTable(pairs: string[]): RoutingConfig {
  const table: RoutingConfig = {};
  for (const pair of pairs) {
    const m = /^([^=\s]+)=(\d+)$/.exec(pair);
    if (!m) throw new UsageError(`"${pair}" is not target=weight (e.g. champion=95)`, usageOf('route'));
    table[m[1]] = Number(m[2]);
  }
  return table;
}

function isCommand(text: string | undefined): text is Command {
  return text !== undefined && Object.hasOwn(COMMANDS, text);
}

interface Call {
  name: string;
  /** `alias` only: the move asked for. */
  move?: { alias: string; version: number; reason: string };
}

/** Everything checkable without a database, checked before any service starts. */
function checkCall(
  command: Command,
  name: string | undefined,
  rest: string[],
  reason: string | undefined,
): Call {
  const usage = usageOf(command);
  if (name === undefined) throw new UsageError(`${command} needs a model name`, usage);
  usageCheck(() => checkModelName(name), usage);
  const maxArgs = { list: 0, history: 1, alias: 2, route: Number.POSITIVE_INFINITY }[command];
  if (rest.length > maxArgs) throw new UsageError(`unexpected argument "${rest[maxArgs]}"`, usage);
  if (reason !== undefined && command !== 'alias') throw new UsageError('--reason is only for alias', usage);
  if (command === 'history' && rest[0] !== undefined) usageCheck(() => checkAlias(rest[0]), usage);
  if (command !== 'alias') return { name };
  const [alias, versionText] = rest;
  if (alias === undefined || versionText === undefined) {
    throw new UsageError('alias needs <name> <alias> <version>', usage);
  }
  usageCheck(() => checkAlias(alias), usage);
  const version = usageCheck(() => parseVersion(versionText), usage);
  if (reason === undefined)
    throw new UsageError('an alias move needs --reason "why" (it is the audit trail)', usage);
  usageCheck(() => checkReason(reason), usage);
  return { name, move: { alias, version, reason } };
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(['reason']);
  const [command, name, ...rest] = positionals;
  if (!isCommand(command)) {
    throw new UsageError(command === undefined ? 'a command is needed' : `unknown command "${command}"`);
  }
  const call = checkCall(command, name, rest, values.reason);
  const needsRedis = command === 'route';
  const services = await acquire({
    needs: needsRedis ? ['postgres', 'redis'] : ['postgres'],
    namespace: 'registry',
    keep: true,
  });
  try {
    await migrateRegistry(services);
    if (command === 'list') {
      const versions = await listVersions(services.pg, call.name);
      if (versions.length === 0) console.log(`no versions of ${name} (pnpm train registers one)`);
      for (const v of versions) {
        const auc = v.metrics.auc === null || v.metrics.auc === undefined ? '-' : v.metrics.auc.toFixed(3);
        console.log(
          `${name}@${v.version}  artifact ${v.hash.slice(0, 12)}  AUC ${auc}  code ${v.codeVersion?.slice(0, 7) ?? 'unknown'}  ` +
            `${v.createdAt.toISOString()}  data: ${v.dataRef}`,
        );
      }
    } else if (command === 'history') {
      for (const h of await aliasHistory(services.pg, call.name, rest[0])) {
        console.log(
          `${h.changedAt.toISOString()}  ${h.alias}: ${h.fromVersion ?? '-'} -> ${h.toVersion}  (${h.reason})`,
        );
      }
    } else if (call.move) {
      const { alias, version, reason } = call.move;
      const change = await setAlias(services.pg, call.name, alias, version, reason);
      console.log(`${call.name}@${alias}: ${change.fromVersion ?? '-'} -> ${change.toVersion}`);
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

runCommand(USAGE, main, (error) =>
  error instanceof RegistryError ? `refused: ${error.message}` : errorMessage(error),
);
