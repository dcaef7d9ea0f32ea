/**
 * TensorFlow.js backend selection (Q16): native `@tensorflow/tfjs-node` when its libtensorflow binary
 * is installed, else `@tensorflow/tfjs` on the WebAssembly backend, else the pure-JS `cpu` backend.
 * tfjs-node is an optionalDependency whose install downloads a native library; on a machine without
 * it, importing throws, and that is the expected fallback path (ARCHITECTURE.md "Known facts").
 * The choice is one printed line (`backendLine`); tfjs-node's own message is a 200-character path,
 * kept in `skipped` and printed whole only under DEBUG=1.
 * Reference: TF.js platform and environment guide; `setWasmPaths` for Node.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');
export type Backend = 'tensorflow' | 'wasm' | 'cpu';

export interface TfHandle {
  tf: Tf;
  backend: Backend;
  /** Backends tried before the chosen one, with the reason each was skipped (for the printed report). */
  skipped: { backend: Backend; reason: string }[];
}

const ORDER: Backend[] = ['tensorflow', 'wasm', 'cpu'];
let cached: Promise<TfHandle> | undefined;

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

/** Why a backend was skipped, in a few words: the two expected cases of tfjs-node by name. */
function shortReason(skip: TfHandle['skipped'][number]): string {
  if (skip.reason === 'not preferred') return `${skip.backend} not tried: MLOPS_LAB_TF_BACKEND`;
  if (skip.backend === 'tensorflow') {
    // tfjs-node installs without its build script (pnpm-workspace.yaml), so the binding is absent.
    if (/tfjs_binding\.node|native addon/i.test(skip.reason)) {
      return "tfjs-node's native binding is not built; see packages/training/README.md";
    }
    if (/Cannot find (module|package) '@tensorflow\/tfjs-node'/.test(skip.reason)) {
      return 'tfjs-node is not installed; see packages/training/README.md';
    }
  }
  return `${skip.backend} did not start: ${skip.reason.slice(0, 80)}`;
}

/**
 * The one line that says which backend runs and why the better ones did not, e.g.
 * "tfjs backend: wasm (tfjs-node's native binding is not built; see packages/training/README.md)".
 * With `debug`, each skipped backend's full message follows on its own line.
 */
export function backendLine(backend: Backend, skipped: TfHandle['skipped'], debug = false): string {
  const why = skipped.map(shortReason).join('; ');
  const line = `tfjs backend: ${backend}${why ? ` (${why})` : ''}`;
  if (!debug) return line;
  return [line, ...skipped.map((s) => `  ${s.backend} skipped: ${s.reason}`)].join('\n');
}

async function trySelect(backend: Backend): Promise<Tf> {
  if (backend === 'tensorflow') {
    // Throws when the native binding is missing; it registers the `tensorflow` backend when present.
    const node = (await import('@tensorflow/tfjs-node')) as unknown as Tf;
    if (!(await node.setBackend('tensorflow')))
      throw new Error('tfjs-node loaded but its backend did not start');
    return node;
  }
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries are read from the package's dist folder, not fetched from a CDN.
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
  await tf.ready();
  return tf;
}

/**
 * Picks the first backend that works, once per process (TF.js has one global engine).
 * `MLOPS_LAB_TF_BACKEND=wasm|cpu|tensorflow` starts the search at that backend (tests, comparisons).
 */
export function loadTf(options: { prefer?: Backend; log?: (line: string) => void } = {}): Promise<TfHandle> {
  cached ??= (async () => {
    const prefer = options.prefer ?? (process.env.MLOPS_LAB_TF_BACKEND as Backend | undefined);
    const start = prefer && ORDER.includes(prefer) ? ORDER.indexOf(prefer) : 0;
    const skipped: TfHandle['skipped'] = ORDER.slice(0, start).map((b) => ({
      backend: b,
      reason: 'not preferred',
    }));
    for (const backend of ORDER.slice(start)) {
      try {
        const tf = await trySelect(backend);
        const log = options.log ?? ((line: string) => console.error(line));
        log(backendLine(backend, skipped, process.env.DEBUG === '1'));
        return { tf, backend, skipped };
      } catch (error) {
        skipped.push({ backend, reason: reasonOf(error) });
      }
    }
    throw new Error(
      `no TensorFlow.js backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`,
    );
  })();
  return cached;
}
