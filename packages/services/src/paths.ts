/**
 * Where things live on disk: the repo root, the embedded data folder and its lock
 * (ARCHITECTURE.md "Services", embedded fallback). The data folder is git-ignored (`.data/` in the root .gitignore).
 *
 *   <data dir>/pglite/       PGlite's Postgres data directory (Node FS: a real PGDATA on disk)
 *   <data dir>/pglite.lock   JSON { pid, ... } of the process that has it open
 *   <data dir>/redis-servers/<pid>.json   each running embedded redis-server and its owner (redis-owners.ts)
 *   <repo>/.data/cache/      initdb templates, so a new PGlite starts in ~0.5-1 s instead of ~3-4 s
 */
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Nearest ancestor with `pnpm-workspace.yaml`, searched from this package first (it is consumed as source), then cwd. */
export function repoRoot(): string {
  for (const start of [here, process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return process.cwd();
}

/** `MLOPS_LAB_DATA_DIR` (the folder that holds `pglite/`), else `<repo root>/.data`. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLOPS_LAB_DATA_DIR ? resolve(env.MLOPS_LAB_DATA_DIR) : join(repoRoot(), '.data');
}

export function pgliteDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'pglite');
}

export function lockPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'pglite.lock');
}

/** Records of the embedded redis-servers started with this data folder, one file per server. */
export function redisRecordsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'redis-servers');
}

/**
 * Always `<repo root>/.data/cache`, also when MLOPS_LAB_DATA_DIR points elsewhere: the templates are
 * identical for every data folder (keyed by PGlite + pgvector version), so temp data folders in tests
 * start from the shared one instead of paying initdb each.
 */
export function cacheDir(): string {
  return join(repoRoot(), '.data', 'cache');
}

export function composeFile(): string {
  return join(repoRoot(), 'docker-compose.yml');
}

/** A path for printing: relative to the repo root when inside it. */
export function displayPath(path: string): string {
  const rel = relative(repoRoot(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Installed version of a dependency, read from its package.json next to its resolved entry point
 * (PGlite does not export `./package.json`). Identifies the PGlite build for the template cache.
 */
export function installedVersion(name: string): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (;;) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      }
      const parent = dirname(dir);
      if (parent === dir) return 'unknown';
      dir = parent;
    }
  } catch {
    return 'unknown';
  }
}

/** Total size of files under a folder (0 if missing). */
export function folderBytes(path: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}
