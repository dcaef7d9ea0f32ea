/**
 * Immutable, content-addressed artifact storage (Q18). An artifact is a flat set of named files; its
 * id is sha256 over the sorted file names and bytes, so the same content always gets the same id and
 * any change to any byte gives a different one. Stored under `<root>/<sha>`; loading re-hashes and
 * refuses an artifact whose bytes no longer match its id (the "mutable artifact" failure of Q18).
 * Reference: MLflow / DVC content addressing, git's object store.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryError } from './errors.ts';

/** File name -> content. Names are flat (no folders) so the hash has one canonical form. */
export type ArtifactFiles = Record<string, Uint8Array>;

export interface PutResult {
  hash: string;
  dir: string;
}

const NAME = /^[A-Za-z0-9._-]+$/;
const HASH = /^[0-9a-f]{64}$/;

/** `MLOPS_LAB_ARTIFACTS_DIR`, else `<MLOPS_LAB_DATA_DIR or <repo>/.data>/artifacts` (git-ignored). */
export function artifactsRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLOPS_LAB_ARTIFACTS_DIR) return resolve(env.MLOPS_LAB_ARTIFACTS_DIR);
  if (env.MLOPS_LAB_DATA_DIR) return join(resolve(env.MLOPS_LAB_DATA_DIR), 'artifacts');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, '.data', 'artifacts');
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), '.data', 'artifacts');
    dir = parent;
  }
}

/**
 * sha256 over the files in name order. Each entry is framed as `name \0 byteLength \0 bytes`, so no
 * two different file sets can produce the same byte stream (no ambiguity at boundaries).
 */
export function hashFiles(files: ArtifactFiles): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) {
    const bytes = files[name];
    h.update(`${name}\0${bytes.byteLength}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}

function checkNames(files: ArtifactFiles): void {
  const names = Object.keys(files);
  if (names.length === 0) throw new RegistryError('bad-input', 'an artifact needs at least one file');
  for (const n of names) {
    if (!NAME.test(n)) throw new RegistryError('bad-input', `artifact file name "${n}" must match ${NAME}`);
  }
}

async function readDir(dir: string): Promise<ArtifactFiles> {
  const files: ArtifactFiles = {};
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) {
      throw new RegistryError('bad-input', `artifact folder ${dir} holds "${name}", which is not a file`);
    }
    files[name] = new Uint8Array(await readFile(path));
  }
  return files;
}

/**
 * Stores files (or the files of a folder) and returns their hash. Idempotent: storing the same content
 * again is a no-op. Written to a temporary folder and renamed, so a crash never leaves a half artifact
 * under a valid id; files are made read-only as a signal (the hash check is the real guard).
 */
export async function putArtifact(
  source: string | ArtifactFiles,
  options: { root?: string } = {},
): Promise<PutResult> {
  const files = typeof source === 'string' ? await readDir(source) : source;
  checkNames(files);
  const hash = hashFiles(files);
  const root = options.root ?? artifactsRoot();
  const dir = join(root, hash);
  if (existsSync(dir)) {
    await loadArtifact(hash, { root }); // throws if the stored copy was tampered with
    return { hash, dir };
  }
  await mkdir(root, { recursive: true });
  const tmp = join(root, `.tmp-${hash}-${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  try {
    for (const [name, bytes] of Object.entries(files)) {
      await writeFile(join(tmp, name), bytes);
      await chmod(join(tmp, name), 0o444);
    }
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw error; // a concurrent writer finished first: same content, fine
  }
  return { hash, dir };
}

/** Reads an artifact and re-hashes it; a mismatch is refused with `RegistryError('tampered')`. */
export async function loadArtifact(hash: string, options: { root?: string } = {}): Promise<ArtifactFiles> {
  if (!HASH.test(hash)) throw new RegistryError('bad-input', `"${hash}" is not a sha256 artifact id`);
  const dir = join(options.root ?? artifactsRoot(), hash);
  if (!existsSync(dir)) {
    throw new RegistryError(
      'not-found',
      `artifact ${hash} is not in ${dir}; it was registered on another machine or its folder was removed`,
    );
  }
  const files = await readDir(dir);
  const actual = hashFiles(files);
  if (actual !== hash) {
    throw new RegistryError(
      'tampered',
      `artifact ${hash} was modified after it was stored (its files now hash to ${actual.slice(0, 12)}…); ` +
        'refusing to load it. Re-train and register a new version instead of editing an artifact in place.',
    );
  }
  return files;
}
