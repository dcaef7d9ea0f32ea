/**
 * `pnpm registry <command>`: the registry from the command line (Q18), on the kept `registry` schema
 * that `pnpm train` writes and `pnpm serve` reads.
 *
 *   pnpm registry list <name>                              versions with their aliases, lineage and metrics
 *   pnpm registry history <name> [alias]                   every alias move and routing change: when, what, why
 *   pnpm registry alias <name> <alias> <version> --reason "why"
 *   pnpm registry route <name> [target=weight ... --reason "why"]   show, or set, the routing table
 *
 * The routing table is stored in Postgres with its history; a change is announced to running servers
 * through Redis. Servers that follow a table need shared servers (REDIS_URL and DATABASE_URL, or
 * `pnpm services:up`); on the embedded services the table is kept, but nothing else can be listening.
 *
 * Names, aliases, versions and reasons are checked before any service starts. Exit 0 ok, 1 failure
 * or refusal, 2 usage error (one stderr line with the usage).
 */
import {
  acquire,
  type CommandLine,
  errorMessage,
  parseCommandLine,
  runCommand,
  UsageError,
  usageCheck,
} from '@mlops-lab/services';
import { aliasHistory, listAliases, setAlias } from './aliases.ts';
import { RegistryError } from './errors.ts';
import { checkAlias, checkModelName, checkReason, parseVersion } from './input.ts';
import { listVersions } from './models.ts';
import { checkRoutingShape, getRouting, type RoutingConfig, routingHistory, setRouting } from './routing.ts';
import { migrateRegistry } from './schema.ts';

const COMMANDS = {
  list: 'list <name>',
  history: 'history <name> [alias]',
  alias: 'alias <name> <alias> <version> --reason "why"',
  route: 'route <name> [target=weight ... --reason "why"] (e.g. champion=95 3=5)',
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

interface Call {
  name: string;
  /** `history` only: the alias whose moves are asked for. */
  alias?: string;
  /** `alias` only: the move asked for. */
  move?: { alias: string; version: number; reason: string };
  /** `route` with pairs: the table asked for. */
  table?: { config: RoutingConfig; reason: string };
}

/** Everything checkable without a database, checked before any service starts. */
function checkCall(command: Command, line: CommandLine): Call {
  const [, name, ...rest] = line.positionals;
  const { reason } = line.values;
  const usage = usageOf(command);
  if (name === undefined) throw new UsageError(`${command} needs a model name`, usage);
  usageCheck(() => checkModelName(name), usage);
  // After the command and the name, what each command takes.
  line.refuseArgumentsPast(
    2 + { list: 0, history: 1, alias: 2, route: Number.POSITIVE_INFINITY }[command],
    usage,
  );
  const setsTable = command === 'route' && rest.length > 0;
  if (reason !== undefined && command !== 'alias' && !setsTable)
    throw new UsageError('--reason is only for alias, and for route with a table', usage);
  if (command === 'history' && rest[0] !== undefined) usageCheck(() => checkAlias(rest[0]), usage);
  if (setsTable) {
    const config = parseTable(rest);
    usageCheck(() => checkRoutingShape(name, config), usage);
    if (reason === undefined)
      throw new UsageError('a routing change needs --reason "why" (it is the audit trail)', usage);
    usageCheck(() => checkReason(reason), usage);
    return { name, table: { config, reason } };
  }
  if (command !== 'alias') return { name, alias: rest[0] };
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
  const line = parseCommandLine(['reason']);
  const command = line.command(Object.keys(COMMANDS) as Command[]);
  const call = checkCall(command, line);
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
      const aliases = await listAliases(services.pg, call.name);
      if (versions.length === 0) console.log(`no versions of ${call.name} (pnpm train registers one)`);
      for (const v of versions) {
        const auc = v.metrics.auc === null || v.metrics.auc === undefined ? '-' : v.metrics.auc.toFixed(3);
        const named = aliases.get(v.version);
        console.log(
          `${call.name}@${v.version}${named ? ` (${named.join(', ')})` : ''}  artifact ${v.hash.slice(0, 12)}  AUC ${auc}  code ${v.codeVersion?.slice(0, 7) ?? 'unknown'}  ` +
            `${v.createdAt.toISOString()}  data: ${v.dataRef}`,
        );
      }
    } else if (command === 'history') {
      const lines = (await aliasHistory(services.pg, call.name, call.alias)).map((h) => ({
        at: h.changedAt,
        text: `${h.alias}: ${h.fromVersion ?? '-'} -> ${h.toVersion}  (${h.reason})`,
      }));
      if (call.alias === undefined) {
        for (const r of await routingHistory(services.pg, call.name)) {
          lines.push({
            at: r.changedAt,
            text: `routing r${r.revision}: ${r.from ? JSON.stringify(r.from) : '-'} -> ${JSON.stringify(r.to)}  (${r.reason}; by ${r.by})`,
          });
        }
      }
      lines.sort((a, b) => a.at.getTime() - b.at.getTime());
      if (lines.length === 0) console.log(`no alias moves or routing changes for ${call.name}`);
      for (const l of lines) console.log(`${l.at.toISOString()}  ${l.text}`);
    } else if (call.move) {
      const { alias, version, reason } = call.move;
      const change = await setAlias(services.pg, call.name, alias, version, reason);
      console.log(`${call.name}@${alias}: ${change.fromVersion ?? '-'} -> ${change.toVersion}`);
    } else {
      if (call.table) {
        const change = await setRouting(services, call.name, call.table.config, {
          reason: call.table.reason,
        });
        const heard =
          services.backends.redis?.kind === 'embedded'
            ? 'kept in the embedded Postgres; no server can follow it there (routed serving needs shared servers)'
            : change.notified
              ? 'announced to running servers'
              : 'Redis did not take the notice: running servers read it within 5 s';
        console.log(`${call.name}: routing revision ${change.revision}, ${heard}`);
      }
      const table = await getRouting(services, call.name);
      console.log(
        table
          ? `${call.name}: ${JSON.stringify(table)}`
          : `${call.name}: no table (servers use { champion: 100 })`,
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
