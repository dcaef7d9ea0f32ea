/**
 * scipy.stats.ks_2samp (asymptotic) on the same samples as the drift benchmark, as a baseline in the
 * same run (Q27; ARCHITECTURE.md "Conventions"). The samples go to a temporary folder as raw float64
 * once; each `time()` runs python3 on ks_2samp_time.py, which times one call per pair after a warm-up
 * call, so the imports, the file read and the interpreter start are not counted. Without python3 or
 * scipy, `time()` returns the reason instead, and the benchmark prints the row as not measured.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScipyPair {
  wall: number;
  cpu: number;
  statistic: number;
  pValue: number;
}

export interface ScipyRun {
  version: string;
  /** (first, second), (first, third), ...: in the order the samples were given. */
  pairs: ScipyPair[];
}

const SCRIPT = new URL('./ks_2samp_time.py', import.meta.url).pathname;

export class ScipyKs {
  private readonly dir = mkdtempSync(join(tmpdir(), 'mlops-lab-ks-'));
  private readonly files: string[];

  /** Writes the samples; pairs are timed as (samples[0], samples[k]) for k >= 1. */
  constructor(samples: readonly Float64Array[]) {
    this.files = samples.map((s, i) => {
      const file = join(this.dir, `sample-${i}.f64`);
      writeFileSync(file, new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
      return file;
    });
  }

  /** One timed ks_2samp call per pair, or why scipy could not be run. */
  time(): ScipyRun | { missing: string } {
    const child = spawnSync('python3', [SCRIPT, ...this.files], { encoding: 'utf8' });
    if (child.error) return { missing: `python3 not runnable (${child.error.message})` };
    if (child.status !== 0) {
      const last = child.stderr.trim().split('\n').pop() ?? '';
      return { missing: /No module named/.test(last) ? `python3 has no ${last.split("'")[1]}` : last };
    }
    const out = JSON.parse(child.stdout) as {
      scipy: string;
      pairs: { wall_ms: number; cpu_ms: number; statistic: number; pvalue: number }[];
    };
    return {
      version: out.scipy,
      pairs: out.pairs.map((p) => ({
        wall: p.wall_ms,
        cpu: p.cpu_ms,
        statistic: p.statistic,
        pValue: p.pvalue,
      })),
    };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
