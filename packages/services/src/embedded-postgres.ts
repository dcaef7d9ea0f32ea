/**
 * Embedded Postgres (ARCHITECTURE.md "Services", resolution step 3): PGlite (Postgres compiled to
 * WebAssembly) with the pgvector extension, served on a free loopback port by pglite-socket so the
 * same `pg` code runs against it. References: pglite.dev/docs (API, filesystems: a path is a Node FS
 * data directory on disk, `memory://` is in-memory; `loadDataDir` starts from a tar dump), the
 * pglite-socket README (PGLiteSocketServer, port 0, getServerConn) and the pglite-pgvector README.
 *
 * Facts checked against PGlite 0.5.14 here: it is ONE Postgres session shared by every socket, so
 * session settings (search_path) leak between connections -> one PGlite per acquire; the startup
 * packet's `options=-c search_path=...` is ignored -> the pool runs SET on connect; a client that
 * reconnects right after closing can be refused while the old socket detaches -> maxConnections 4.
 * initdb costs ~3 s, loading a tar of a fresh data dir ~0.5 s -> a per-version template cache.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { errorMessage, ServiceError } from './errors.ts';
import { acquireLock } from './lock.ts';
import { cacheDir, displayPath, folderBytes, installedVersion, lockPath, pgliteDir } from './paths.ts';
import { onExitSync } from './shutdown.ts';

export interface EmbeddedPostgres {
  url: string;
  /** e.g. `embedded PGlite 0.5 (pgvector) on 127.0.0.1:41234, data .data/pglite` */
  label: string;
  stop(): Promise<void>;
}

export function pgliteVersion(): string {
  return installedVersion('@electric-sql/pglite');
}

function templatePath(): string {
  const key = `pglite-${pgliteVersion()}-pgvector-${installedVersion('@electric-sql/pglite-pgvector')}`;
  return join(cacheDir(), `${key}.tar`);
}

const templates = new Map<string, Promise<Blob | undefined>>();

/** The cached fresh data dir (tar), if any; read once per process. */
function loadTemplate(path: string): Promise<Blob | undefined> {
  let cached = templates.get(path);
  if (!cached) {
    cached = Promise.resolve(existsSync(path) ? new Blob([readFileSync(path)]) : undefined).catch(
      () => undefined,
    );
    templates.set(path, cached);
  }
  return cached;
}

/** Saves a just-initialised data dir as the template; best effort (a read-only disk only costs speed). */
async function saveTemplate(db: PGlite, path: string): Promise<void> {
  try {
    const dump = await db.dumpDataDir('none');
    const bytes = new Uint8Array(await dump.arrayBuffer());
    mkdirSync(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path); // atomic: readers see a whole template or none
    templates.set(path, Promise.resolve(new Blob([bytes])));
  } catch {
    // Not worth failing a run over.
  }
}

export async function startEmbeddedPostgres(options: {
  ephemeral: boolean;
  env?: NodeJS.ProcessEnv;
}): Promise<EmbeddedPostgres> {
  const env = options.env ?? process.env;
  const dir = pgliteDir(env);
  const lock = options.ephemeral ? undefined : lockPath(env);
  const release = lock ? acquireLock(lock) : () => {};
  const unhook = onExitSync(release);

  const template = templatePath();
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    const fresh = options.ephemeral || !existsSync(join(dir, 'PG_VERSION'));
    const loadDataDir = fresh ? await loadTemplate(template) : undefined;
    if (!options.ephemeral) mkdirSync(dir, { recursive: true });
    db = new PGlite(options.ephemeral ? 'memory://' : dir, {
      extensions: { vector },
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    await db.waitReady;
    if (fresh && !loadDataDir) await saveTemplate(db, template);

    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    unhook();
    release();
    throw new ServiceError(
      'EMBEDDED_FAILED',
      `embedded Postgres (PGlite) failed to start: ${errorMessage(error)}`,
      options.ephemeral
        ? 'Check that @electric-sql/pglite is installed (pnpm install).'
        : `If the data folder ${displayPath(dir)} is damaged, wipe it with \`pnpm services:reset\` (its data is lost).`,
      { cause: error },
    );
  }

  const conn = server.getServerConn(); // "127.0.0.1:41234"
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  const [major, minor] = pgliteVersion().split('.');
  const where = options.ephemeral ? 'in memory' : displayPath(dir);
  let stopping: Promise<void> | undefined;
  const running = { db, server };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    label: `embedded PGlite ${major}.${minor} (pgvector) on 127.0.0.1:${port}, data ${where}`,
    stop() {
      stopping ??= (async () => {
        try {
          await running.server.stop();
          await running.db.close();
        } finally {
          unhook();
          release();
        }
      })();
      return stopping;
    },
  };
}

/**
 * Removes the on-disk data folder (for `services:reset`; the caller checks the lock), and the template
 * cache when that lives in the same `.data` (i.e. MLOPS_LAB_DATA_DIR is not set). Returns what it removed.
 */
export function wipeEmbeddedData(env: NodeJS.ProcessEnv = process.env): { path: string; bytes: number }[] {
  const paths = env.MLOPS_LAB_DATA_DIR ? [pgliteDir(env)] : [pgliteDir(env), cacheDir()];
  const removed = paths.map((path) => ({ path, bytes: folderBytes(path) }));
  for (const path of paths) rmSync(path, { recursive: true, force: true });
  templates.clear();
  return removed;
}
