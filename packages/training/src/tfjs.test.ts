/**
 * The backend line of `loadTf` (tfjs.ts): one short line naming the backend and why the better ones
 * were skipped, tfjs-node's long path message only under DEBUG=1.
 */
import { describe, expect, it } from 'vitest';
import { backendLine, loadTf } from './tfjs.ts';

// tfjs-node's message on a machine where its install script did not run (pnpm 10 skips it).
const NOT_BUILT =
  'The Node.js native addon module (tfjs_binding.node) can not be found at path: /repo/node_modules/.pnpm/' +
  '@tensorflow+tfjs-node@4.22.0_seedrandom@3.0.5/node_modules/@tensorflow/tfjs-node/lib/napi-v8';

describe('backendLine', () => {
  it('names the missing native binding in a few words and points at the README', () => {
    expect(backendLine('wasm', [{ backend: 'tensorflow', reason: NOT_BUILT }])).toBe(
      "tfjs backend: wasm (tfjs-node's native binding is not built; see packages/training/README.md)",
    );
  });

  it('says when tfjs-node is not installed at all, or was not preferred', () => {
    const missing = "Cannot find module '@tensorflow/tfjs-node' imported from /repo/x.ts";
    expect(backendLine('wasm', [{ backend: 'tensorflow', reason: missing }])).toMatch(
      /^tfjs backend: wasm \(tfjs-node is not installed; see/,
    );
    expect(
      backendLine('cpu', [
        { backend: 'tensorflow', reason: 'not preferred' },
        { backend: 'wasm', reason: 'not preferred' },
      ]),
    ).toBe(
      'tfjs backend: cpu (tensorflow not tried: MLOPS_LAB_TF_BACKEND; wasm not tried: MLOPS_LAB_TF_BACKEND)',
    );
    expect(backendLine('tensorflow', [])).toBe('tfjs backend: tensorflow');
  });

  it('keeps an unexpected reason, cut short, and prints every full reason under DEBUG', () => {
    const odd = `wasm init failed: ${'x'.repeat(300)}`;
    const line = backendLine('cpu', [
      { backend: 'tensorflow', reason: NOT_BUILT },
      { backend: 'wasm', reason: odd },
    ]);
    expect(line).toMatch(/; wasm did not start: wasm init failed: x+\)$/);
    expect(line.length).toBeLessThan(200);
    const debug = backendLine('wasm', [{ backend: 'tensorflow', reason: NOT_BUILT }], true).split('\n');
    expect(debug).toHaveLength(2);
    expect(debug[1]).toBe(`  tensorflow skipped: ${NOT_BUILT}`);
  });

  it('loadTf logs exactly that line for the backend this machine runs', async () => {
    const lines: string[] = [];
    const { backend, skipped } = await loadTf({ log: (l) => lines.push(l) });
    expect(lines).toEqual([backendLine(backend, skipped, process.env.DEBUG === '1')]);
    expect(lines[0].split('\n')[0].length).toBeLessThan(120);
  });
});
