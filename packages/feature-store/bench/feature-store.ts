/**
 * `pnpm bench feature-store`: the offline benchmark (point-in-time join at 10k / 100k / 1M feature
 * rows beside the in-memory oracle) and the online one (single and batched reads beside a PING /
 * sequential floor, materializing 1M rows beside plain HSET), each in its own process so one's
 * memory and Redis state cannot colour the other's figures. Flags pass through (`--quick`).
 * The last line of stdout is one JSON object with both results.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const results: Record<string, unknown> = {};
let failed = false;
for (const part of ['offline', 'online']) {
  const file = fileURLToPath(new URL(`./${part}.ts`, import.meta.url));
  const child = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = child.stdout.trimEnd().split('\n');
  process.stdout.write(`${lines.slice(0, -1).join('\n')}\n`);
  try {
    results[part] = JSON.parse(lines.at(-1) ?? '');
  } catch {
    results[part] = null;
  }
  if (child.status !== 0 || results[part] === null) {
    failed = true;
    process.stderr.write(`bench ${part} failed (exit ${child.status})\n`);
  }
}
process.stdout.write(`${JSON.stringify({ bench: 'feature-store', ...results })}\n`);
if (failed) process.exitCode = 1;
