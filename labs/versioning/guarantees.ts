/**
 * The registry's two guarantees the versioning lab tries to break (Q18): a version cannot be
 * registered again with other content, and an artifact changed on disk is refused when loaded. Under
 * the `mutable-artifact` fault the same attempts go to the path-addressed store, which accepts both.
 */
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '@mlops-lab/labkit';
import { loadArtifact, RegistryError, registerModel } from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import type { PathAddressedStore } from './mutable-store.ts';

/** Inverts the last byte of a file: one changed weight, the smallest edit that changes a model. */
function flipLastByte(file: string): void {
  chmodSync(file, 0o644); // stored artifacts are read-only: a signal, not the guard
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(file, bytes);
}

/** Registers `name` version 2 again with v3's content; says whether it was accepted or refused. */
export async function overwriteVersion2(o: {
  fault: string | null;
  services: Pick<Services, 'pg'>;
  mutable: PathAddressedStore;
  name: string;
  v3Hash: string;
}): Promise<string> {
  if (o.fault === 'mutable-artifact') {
    o.mutable.put(o.name, 2, o.mutable.get(o.name, 3)); // a retraining export to the same path
    return 'accepted: fraud/2/ now holds other weights';
  }
  try {
    await registerModel(o.services.pg, {
      name: o.name,
      version: 2,
      hash: o.v3Hash,
      dataRef: 'retrain export',
    });
    return 'accepted';
  } catch (e) {
    return e instanceof RegistryError ? `refused: ${e.message}` : `error: ${messageOf(e)}`;
  }
}

/** Changes one byte of v1's weights on disk (a copy, for the real store) and tries to load it. */
export async function tamperVersion1(o: {
  fault: string | null;
  mutable: PathAddressedStore;
  name: string;
  artifactsRoot: string;
  v1Hash: string;
  loadMutable: (version: number) => Promise<unknown>;
}): Promise<string> {
  if (o.fault === 'mutable-artifact') {
    flipLastByte(o.mutable.path(o.name, 1, 'weights.bin'));
    await o.loadMutable(1);
    return 'loaded without complaint';
  }
  const copy = join(o.artifactsRoot, 'tampered');
  cpSync(join(o.artifactsRoot, o.v1Hash), join(copy, o.v1Hash), { recursive: true });
  flipLastByte(join(copy, o.v1Hash, 'weights.bin'));
  try {
    await loadArtifact(o.v1Hash, { root: copy });
    return 'loaded without complaint';
  } catch (e) {
    return `refused: ${messageOf(e)}`;
  }
}
