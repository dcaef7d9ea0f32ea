/**
 * Process-exit hygiene (ARCHITECTURE.md "Services": embedded servers are "stopped on exit"; per-run
 * schemas and keys are cleaned up). Written by hand; Node has no "close my resources on Ctrl-C".
 *
 * - SIGINT / SIGTERM: every open Services is closed (schema dropped, keys deleted, servers stopped),
 *   then the process exits 130 / 143. The handlers are installed once, on the first acquire, and only
 *   then: installing a SIGINT handler replaces Node's default "exit now". A second signal while
 *   closing exits at once, unless it is a different signal within RELAY_WINDOW_MS of the first: that is
 *   one Ctrl-C relayed by a parent (pnpm runs the root commands as bins through execa, which sends its
 *   child SIGTERM as it dies of the terminal's SIGINT), not a user pressing twice.
 * - 'exit' (any exit, incl. process.exit and uncaught errors): synchronous last resort that kills
 *   embedded redis-server children and removes our lock file. Async cleanup cannot run there.
 */

type Closer = () => Promise<void>;

const open = new Set<Closer>();
const exitHooks = new Set<() => void>();
let installed = false;
let firstSignal: { name: NodeJS.Signals; at: number } | null = null;

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** How long a signal waits for closes before exiting anyway. */
const SIGNAL_CLOSE_TIMEOUT_MS = 5000;
/** A different signal this soon after the first is the same interrupt, relayed (see the top). */
const RELAY_WINDOW_MS = 1000;

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as (keyof typeof SIGNAL_EXIT_CODES)[]) {
    process.on(signal, () => {
      const code = SIGNAL_EXIT_CODES[signal];
      if (firstSignal) {
        if (signal !== firstSignal.name && Date.now() - firstSignal.at < RELAY_WINDOW_MS) return;
        process.exit(code);
      }
      firstSignal = { name: signal, at: Date.now() };
      void closeAllOpen(SIGNAL_CLOSE_TIMEOUT_MS).finally(() => process.exit(code));
    });
  }
  process.on('exit', () => {
    for (const hook of exitHooks) {
      try {
        hook();
      } catch {
        // Exiting anyway; nothing useful to do with the error here.
      }
    }
  });
}

/** Registers an open Services' close; returns the unregister function (called by close itself). */
export function trackOpen(close: Closer): () => void {
  install();
  open.add(close);
  return () => {
    open.delete(close);
  };
}

/** Registers a synchronous hook for process exit; returns the unregister function. */
export function onExitSync(hook: () => void): () => void {
  install();
  exitHooks.add(hook);
  return () => {
    exitHooks.delete(hook);
  };
}

/** Closes every open Services (in parallel), waiting at most `timeoutMs`. */
export async function closeAllOpen(timeoutMs = SIGNAL_CLOSE_TIMEOUT_MS): Promise<void> {
  const closes = [...open].map((close) => close().catch(() => {}));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(closes), timeout]);
  clearTimeout(timer);
}

/** The signal this process is closing for (its services are being closed), or null. */
export function interruptedBy(): NodeJS.Signals | null {
  return firstSignal?.name ?? null;
}

/** Number of Services acquired and not closed yet in this process. */
export function openCount(): number {
  return open.size;
}
