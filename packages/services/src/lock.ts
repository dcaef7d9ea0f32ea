/**
 * A pid lock file for the on-disk PGlite data folder (ARCHITECTURE.md "Services", embedded fallback).
 * Written by hand: PGlite runs Postgres in single-user mode inside this process and takes no
 * cross-process lock on its data directory, so two processes opening it would corrupt it.
 *
 * Invariants: the lock is written to a temp file and hard-linked into place, so it appears complete
 * and exactly one creator wins (link fails with EEXIST); a lock whose holder is dead is stale and is
 * taken over; only the pid that wrote a lock removes it. The holder is recorded as an owner
 * (owner.ts: pid and start time), so a pid reused by another process, or a holder that exited but
 * was never reaped (a zombie), does not keep a stale lock alive.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ServiceError } from './errors.ts';
import { asOwner, ownerOf, ownerState, type ProcessOwner } from './owner.ts';
import { displayPath } from './paths.ts';

export interface LockInfo {
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** The command line of the holder, for `services:status`. */
  command: string;
  /** The holder as a process (absent in locks written before owners were recorded). */
  owner?: ProcessOwner;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lock's holder is still running: by its owner record when there is one (another host's
 * or container's counts as alive: it cannot be judged from here), else by its pid.
 */
export function holderAlive(holder: LockInfo): boolean {
  if (!holder.owner) return pidAlive(holder.pid);
  const state = ownerState(holder.owner);
  return state === 'alive' || state === 'elsewhere';
}

export function readLock(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    const owner = asOwner(info.owner);
    return {
      pid: Number(info.pid),
      since: String(info.since ?? ''),
      command: String(info.command ?? ''),
      ...(owner ? { owner } : {}),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or half-written: treat as a lock of nobody, which is stale.
    return { pid: 0, since: '', command: '' };
  }
}

export function inUseError(path: string, holder: LockInfo): ServiceError {
  const self = holder.pid === process.pid;
  const who = self ? 'this process (another acquire() that is not closed yet)' : `process ${holder.pid}`;
  return new ServiceError(
    'EMBEDDED_IN_USE',
    `the embedded Postgres data folder is in use by ${who}${holder.command ? ` (${holder.command})` : ''}, lock ${displayPath(path)}`,
    [
      self
        ? 'Close the other Services first (embedded PGlite is one session, one open per data folder).'
        : 'Wait for the other run to finish, or run concurrently against a real server:',
      '  - Docker: `pnpm services:up` (Postgres with pgvector + Redis on loopback ports), or',
      '  - DATABASE_URL=postgres://... pointing at a Postgres server.',
    ].join('\n'),
  );
}

/** Takes the lock or throws EMBEDDED_IN_USE. Returns the function that releases it. */
export function acquireLock(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  const owner = ownerOf();
  const info: LockInfo = {
    pid: process.pid,
    since: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
    ...(owner ? { owner } : {}),
  };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(tmp, path);
        return () => releaseLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readLock(path);
        if (holder && holderAlive(holder)) throw inUseError(path, holder);
        takeOverStale(path);
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const holder = readLock(path);
  throw inUseError(path, holder ?? { pid: 0, since: '', command: '' });
}

/**
 * Moves a stale lock out of the way. rename is atomic, so of two processes taking over the same
 * stale lock only one moves it; if what was moved turns out to be a fresh live lock (another process
 * took over in between), it is put back.
 */
function takeOverStale(path: string): void {
  const grave = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, grave);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readLock(grave);
  if (moved && holderAlive(moved)) {
    try {
      linkSync(grave, path);
    } catch {
      // Someone linked a newer lock meanwhile; theirs stands.
    }
  }
  rmSync(grave, { force: true });
}

/** Removes the lock only if this process holds it (a taken-over lock belongs to someone else). */
export function releaseLock(path: string): void {
  const holder = readLock(path);
  if (holder?.pid === process.pid) rmSync(path, { force: true });
}
