/**
 * Following a routing table while serving (Q18): poll the change notice in Redis often (cheap), read
 * the table from Postgres when the notice moves, and read it anyway every few seconds, so that a
 * lost notice (Redis restarted empty, or away) delays a change by at most that period and never
 * changes the table. Every failed poll is reported (the watcher's own Redis connection has no
 * offline queue and a command timeout, so an outage cannot hide as one slow, queued command), and
 * `health()` says how old the last good notice and table reads are.
 * Polling rather than pub/sub: an outage means "keep the last good table", and recovery needs no
 * resubscription. Reference: Kubernetes informers (watch plus periodic resync), Envoy xDS (last good
 * config kept on a control-plane outage).
 */
import type { RoutingConfig, RoutingStore } from './routing.ts';
import { readRouting, routingKey } from './routing.ts';

export interface WatchOptions {
  /** Ms between notice polls (Redis); default 250. */
  intervalMs?: number;
  /** Ms between table reads (Postgres) when no notice came; default 5000. */
  tableEveryMs?: number;
  /** A Redis command slower than this fails the poll; default 1000. */
  commandTimeoutMs?: number;
  /** The table is stale when not read for this long; default 3 × tableEveryMs. */
  staleAfterMs?: number;
  /** Called on every failed read; the last good table stays in force. */
  onError?: (error: unknown, store: 'redis' | 'postgres') => void;
}

export interface WatchHealth {
  /** Seconds since Redis last answered a notice poll; null if it never has. */
  noticeAgeSeconds: number | null;
  /** Seconds since the table was last read from Postgres; null before the first read. */
  tableAgeSeconds: number | null;
  /** Revision of the table in force (null: none stored, the caller's fallback applies). */
  revision: number | null;
  /** The table has not been confirmed for longer than `staleAfterMs`. */
  stale: boolean;
}

export interface RoutingWatch {
  stop(): void;
  health(): WatchHealth;
}

/**
 * Calls `onChange` with the current table (null when none is stored) once it is first read, and
 * again on every new revision. A failed or unparsable read goes to `onError` and changes nothing.
 */
export function watchRouting(
  store: RoutingStore,
  model: string,
  onChange: (config: RoutingConfig | null) => void,
  options: WatchOptions = {},
): RoutingWatch {
  const intervalMs = options.intervalMs ?? 250;
  const tableEveryMs = options.tableEveryMs ?? 5000;
  const staleAfterMs = options.staleAfterMs ?? 3 * tableEveryMs;
  const redis = store.redis.duplicate({
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    maxRetriesPerRequest: 0,
  });
  redis.on('error', () => {}); // reported through the polls that fail, not as unhandled events
  const key = routingKey(store, model);

  let stopped = false;
  let busy = false;
  let seenNotice: string | null | undefined; // the notice as of the last successful table read
  let revision: number | null | undefined; // undefined: the table was never read
  let noticeAt: number | undefined;
  let tableAt: number | undefined;

  const readTable = async (notice: string | null | undefined): Promise<void> => {
    try {
      const stored = await readRouting(store.pg, model);
      tableAt = Date.now();
      seenNotice = notice;
      const next = stored?.revision ?? null;
      if (!stopped && next !== revision) {
        revision = next;
        onChange(stored?.config ?? null);
      }
    } catch (error) {
      options.onError?.(error, 'postgres');
    }
  };

  const poll = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      let notice: string | null | undefined = seenNotice;
      let due = tableAt === undefined || Date.now() - tableAt >= tableEveryMs;
      try {
        notice = await redis.get(key);
        noticeAt = Date.now();
        if (notice !== seenNotice) due = true;
      } catch (error) {
        options.onError?.(error, 'redis');
      }
      if (due && !stopped) await readTable(notice);
    } finally {
      busy = false;
    }
  };

  void poll();
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  const age = (at: number | undefined) => (at === undefined ? null : (Date.now() - at) / 1000);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      redis.disconnect();
    },
    health: () => ({
      noticeAgeSeconds: age(noticeAt),
      tableAgeSeconds: age(tableAt),
      revision: revision ?? null,
      stale: tableAt === undefined || Date.now() - tableAt > staleAfterMs,
    }),
  };
}
