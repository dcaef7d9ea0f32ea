import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFiles, loadArtifact, putArtifact } from './artifacts.ts';
import { RegistryError } from './errors.ts';

const enc = new TextEncoder();

describe('content-addressed artifacts', () => {
  it('hashes by content, independent of insertion order, with unambiguous framing', () => {
    const a = hashFiles({ 'a.txt': enc.encode('x'), 'b.txt': enc.encode('y') });
    expect(hashFiles({ 'b.txt': enc.encode('y'), 'a.txt': enc.encode('x') })).toBe(a);
    expect(hashFiles({ 'a.txt': enc.encode('x'), 'b.txt': enc.encode('z') })).not.toBe(a);
    // Moving a byte across a file boundary must change the hash.
    expect(hashFiles({ a: enc.encode('ab'), b: enc.encode('') })).not.toBe(
      hashFiles({ a: enc.encode('a'), b: enc.encode('b') }),
    );
  });

  it('stores files or a folder under the same id, idempotently, and loads them back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'artifacts-'));
    const src = await mkdtemp(join(tmpdir(), 'src-'));
    await writeFile(join(src, 'model.json'), '{"w":[1,2]}');
    await writeFile(join(src, 'stats.json'), '{}');
    const fromDir = await putArtifact(src, { root });
    const fromFiles = await putArtifact(
      { 'model.json': enc.encode('{"w":[1,2]}'), 'stats.json': enc.encode('{}') },
      { root },
    );
    expect(fromFiles.hash).toBe(fromDir.hash);
    expect(fromDir.dir).toBe(join(root, fromDir.hash));
    const files = await loadArtifact(fromDir.hash, { root });
    expect(new TextDecoder().decode(files['model.json'])).toBe('{"w":[1,2]}');
  });

  it('refuses a tampered artifact with a clear error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'artifacts-'));
    const { hash, dir } = await putArtifact({ 'weights.bin': new Uint8Array([1, 2, 3]) }, { root });
    await chmod(join(dir, 'weights.bin'), 0o644);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array([1, 2, 4]));
    const error = await loadArtifact(hash, { root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('tampered');
    expect((error as Error).message).toMatch(/modified after it was stored/);
    await expect(putArtifact({ 'weights.bin': new Uint8Array([1, 2, 3]) }, { root })).rejects.toThrow(
      /modified/,
    );
  });

  it('rejects unsafe file names and unknown ids', async () => {
    const root = await mkdtemp(join(tmpdir(), 'artifacts-'));
    await expect(putArtifact({ '../x': enc.encode('1') }, { root })).rejects.toThrow(/file name/);
    await expect(loadArtifact('f'.repeat(64), { root })).rejects.toMatchObject({ code: 'not-found' });
    await expect(loadArtifact('nope', { root })).rejects.toMatchObject({ code: 'bad-input' });
  });
});
