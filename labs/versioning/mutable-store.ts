/**
 * The faulty model store behind the `mutable-artifact` break (Q18): artifacts kept by name and version
 * (`<root>/<name>/<version>/<file>`), the way a bucket path like `models/fraud/v2/` is often used.
 * Saving "version 2" again silently replaces its files, and loading trusts whatever is there, so
 * "v2" can mean different weights on two replicas and nothing records that it changed. The real
 * registry (@mlops-lab/registry) addresses files by their sha256 and re-hashes them on every load.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class PathAddressedStore {
  constructor(private readonly root: string) {}

  /** Writes (or overwrites: no check of any kind) the files of `name` version `version`. */
  put(name: string, version: number, files: Record<string, Uint8Array>): void {
    const dir = join(this.root, name, String(version));
    mkdirSync(dir, { recursive: true });
    for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
  }

  get(name: string, version: number): Record<string, Uint8Array> {
    const dir = join(this.root, name, String(version));
    return Object.fromEntries(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
  }

  path(name: string, version: number, file: string): string {
    return join(this.root, name, String(version), file);
  }
}
