/**
 * Who owns what a run leaves behind (its per-run schema, its embedded redis-server): a process named
 * so that a pid reused by an unrelated process is not mistaken for the owner, and so that a process
 * on another machine is never judged from this one. The next start removes only what provably dead
 * owners left (ARCHITECTURE.md "Services": per-run schemas are cleaned up, embedded servers stopped).
 *
 * A process is (host, boot, pid namespace, pid, start time). On Linux the start time is field 22 of
 * /proc/<pid>/stat (clock ticks since boot: exact, and the same before and after exec), the boot is
 * /proc/sys/kernel/random/boot_id and the pid namespace /proc/self/ns/pid (proc(5)). Elsewhere it is
 * `ps -o lstart=` (wall-clock, to the second). Written by hand: pidusage and ps-list report elapsed
 * time or nothing, from which a start time is only approximate.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessOwner {
  host: string;
  /** Linux boot id ('' elsewhere): a start time in ticks since boot means nothing across boots. */
  boot: string;
  /** Linux pid namespace ('' elsewhere): a pid means nothing in another container on the same kernel. */
  pidns: string;
  pid: number;
  start: string;
}

/**
 * - alive: the process is running and started when recorded (or its start cannot be read: then it
 *   is given the benefit of the doubt);
 * - dead: on this host, boot and pid namespace, the pid is not running (or is a zombie) or belongs to
 *   a process that started at another time;
 * - earlier-boot: same host, earlier boot: every process of that boot is gone;
 * - elsewhere: another host or container, or not a record at all: never judged from here.
 */
export type OwnerState = 'alive' | 'dead' | 'earlier-boot' | 'elsewhere';

const linux = process.platform === 'linux';

function readOr(read: () => string, fallback: string): string {
  try {
    return read().trim();
  } catch {
    return fallback;
  }
}

const machine = {
  host: hostname(),
  boot: linux ? readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), '') : '',
  pidns: linux ? readOr(() => readlinkSync('/proc/self/ns/pid'), '') : '',
};

/** Whether `pid` is a running process (not a zombie) and when it started; undefined start = unknown. */
export function processInfo(pid: number): { running: boolean; start?: string } {
  if (!Number.isInteger(pid) || pid <= 0) return { running: false };
  return linux ? procStat(pid) : psInfo(pid);
}

function procStat(pid: number): { running: boolean; start?: string } {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return { running: false };
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return { running: false }; // exited; only its parent has not reaped it
  return { running: true, start: fields[19] }; // field 22 overall; fields[0] is field 3
}

/** `ps` on other platforms (macOS, BSD): state and start time, or no line for a pid that is gone. */
export function psInfo(pid: number): { running: boolean; start?: string } {
  const result = spawnSync('ps', ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' });
  if (result.error) return { running: true }; // no ps: cannot tell, so never judged dead
  const line = result.stdout.trim();
  if (line === '') return { running: false };
  const [state, ...start] = line.split(/\s+/);
  if (state.startsWith('Z')) return { running: false };
  return { running: true, start: start.join(' ') };
}

/** The owner record of a process (default this one); undefined if its start time cannot be read. */
export function ownerOf(pid: number = process.pid): ProcessOwner | undefined {
  const { running, start } = processInfo(pid);
  if (!running || start === undefined) return undefined;
  return { ...machine, pid, start };
}

/** A stored record (parsed JSON) as a ProcessOwner, or undefined if it is not one. */
export function asOwner(value: unknown): ProcessOwner | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const strings = [o.host, o.boot, o.pidns, o.start].every((v) => typeof v === 'string');
  return strings && Number.isInteger(o.pid) ? (o as unknown as ProcessOwner) : undefined;
}

export function ownerState(record: unknown): OwnerState {
  const owner = asOwner(record);
  if (!owner || owner.host !== machine.host) return 'elsewhere';
  if (owner.boot !== machine.boot) return 'earlier-boot';
  if (owner.pidns !== machine.pidns) return 'elsewhere';
  const now = processInfo(owner.pid);
  if (!now.running) return 'dead';
  if (now.start !== undefined && now.start !== owner.start) return 'dead'; // the pid was reused
  return 'alive';
}
