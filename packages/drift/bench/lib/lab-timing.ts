/**
 * Times the drift lab end to end as a user runs it (`pnpm lab drift ...` in a child process) on the
 * embedded services: DATABASE_URL / REDIS_URL removed, Docker skipped, a throwaway data folder so a
 * concurrent run or an old data folder cannot interfere. The lab's own JSON report says whether its
 * checks passed, so a fast but wrong run does not count as fast.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LabTiming {
  args: string[];
  ms: number;
  passed: boolean;
  budgetMs: number;
}

export function timeLab(args: string[], budgetMs: number): LabTiming {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlops-lab-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_NO_DOCKER: '1', MLOPS_LAB_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  try {
    const t0 = performance.now();
    const child = spawnSync('pnpm', ['--silent', 'lab', 'drift', ...args, '--json'], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = performance.now() - t0;
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    let passed = false;
    try {
      passed = child.status === 0 && JSON.parse(last).passed === true;
    } catch {
      passed = false;
    }
    if (!passed)
      process.stderr.write(`pnpm lab drift ${args.join(' ')} failed:\n${child.stderr.slice(-2000)}\n`);
    return { args, ms, passed, budgetMs };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
