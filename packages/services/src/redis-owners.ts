/**
 * Records of the embedded redis-servers started from this data folder, and the killing of those
 * whose run died without stopping them (SIGKILL runs no exit hook, and where the kernel cannot kill
 * a child with its parent, see embedded-redis.ts, the server lives on as an orphan holding memory
 * and a port). One file per server, `<data dir>/redis-servers/<pid>.json` = { server, owner, port },
 * both processes named as in owner.ts, written when the server is spawned and removed when it stops.
 *
 * A server is killed only when its owner is provably dead AND the pid still belongs to the very
 * process that was recorded (same start time): a pid reused by anything else is never signalled.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asOwner, ownerOf, ownerState, type ProcessOwner } from './owner.ts';
import { redisRecordsDir } from './paths.ts';

interface RedisRecord {
  server: ProcessOwner;
  owner: ProcessOwner;
  port: number;
}

export interface RemovedRedis {
  pid: number;
  port: number;
  ownerPid: number;
}

/**
 * Records a just-spawned redis-server (pid) as this process's; returns the function that removes the
 * record. Best effort: without a record (unwritable folder, unreadable start time) only the
 * next-start cleanup is lost, never the run.
 */
export function recordRedisServer(pid: number, port: number, env: NodeJS.ProcessEnv): () => void {
  const server = ownerOf(pid);
  const owner = ownerOf();
  if (!server || !owner) return () => {};
  const dir = redisRecordsDir(env);
  const path = join(dir, `${pid}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ server, owner, port } satisfies RedisRecord)}\n`);
    renameSync(tmp, path); // atomic: a reader sees a whole record or none
  } catch {
    return () => {};
  }
  return () => rmSync(path, { force: true });
}

function readRecord(path: string): RedisRecord | undefined {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<RedisRecord>;
    const server = asOwner(raw.server);
    const owner = asOwner(raw.owner);
    return server && owner ? { server, owner, port: Number(raw.port) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kills the recorded redis-servers whose owner is dead (or of an earlier boot, where the server is
 * gone too and only the record is left), and removes their records. Of two starts sweeping at once
 * only the one that renames a record away acts on it. Returns the servers it killed.
 */
export function removeOrphanRedisServers(env: NodeJS.ProcessEnv): RemovedRedis[] {
  const dir = redisRecordsDir(env);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const killed: RemovedRedis[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    const path = join(dir, name);
    const record = readRecord(path);
    const owner = record ? ownerState(record.owner) : 'dead'; // an unreadable record proves nothing: dropped
    if (owner !== 'dead' && owner !== 'earlier-boot') continue;
    const claim = `${path}.${process.pid}.claim`;
    try {
      renameSync(path, claim);
    } catch {
      continue; // another start took it
    }
    if (record && ownerState(record.server) === 'alive') {
      try {
        process.kill(record.server.pid, 'SIGKILL'); // no persistence: nothing to flush
        killed.push({ pid: record.server.pid, port: record.port, ownerPid: record.owner.pid });
      } catch {
        // It exited in the meantime.
      }
    }
    rmSync(claim, { force: true });
  }
  return killed;
}
