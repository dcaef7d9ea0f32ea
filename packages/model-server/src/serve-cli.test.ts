/**
 * `pnpm serve` run as a person runs it (child processes on an empty embedded data folder): a bad
 * reference or option is one line and exit 2 before any service starts; a non-loopback --host is
 * bound as asked, with one line saying what it exposes without authentication; a port in use is
 * found before the model loads; --help prints the options and exits 0.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { runScript, scriptSandbox, spawnScript } from '@mlops-lab/services/testing';
import { afterAll, describe, expect, it } from 'vitest';

const SERVE = 'packages/model-server/src/serve-cli.ts';
const TRAIN = 'packages/training/src/train-cli.ts';
const sandbox = scriptSandbox('serve-cli-');
afterAll(() => sandbox.cleanup());

/** The one line of a usage error (exit 2) given before any service started. */
const refusal = (...args: string[]) => sandbox.usageError(SERVE, args);

describe('pnpm serve', () => {
  it('--model with an invalid reference gives one line, the right reason, exit 2', async () => {
    const line = await refusal('--model', 'x@../../etc');
    expect(line).toMatch(/"\.\.\/\.\.\/etc" in "x@\.\.\/\.\.\/etc" is neither a version nor an alias/);
    expect(line).not.toMatch(/not registered/);
  });

  it('an unknown option, a missing value or a bad value exits 2 with the usage line', async () => {
    expect(await refusal('--model', 'm@1', '--prot', '80')).toMatch(
      /^unknown option --prot; usage: pnpm serve/,
    );
    expect(await refusal('--model')).toMatch(/^--model needs a value; usage: pnpm serve/);
    expect(await refusal('--model', 'm@1', '--port', '-1')).toMatch(/^--port must be an integer 0\.\.65535/);
    expect(await refusal('--model', `${'m'.repeat(65)}@1`)).toMatch(/at most 64/);
  });

  it('--help and -h print the options and an example request, exit 0, start nothing', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await runScript(SERVE, [flag], sandbox.dir());
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^usage: pnpm serve --model/);
      expect(result.stdout).toContain('--port N');
      expect(result.stdout).toMatch(/curl -s -XPOST 127\.0\.0\.1:8080\/predict/);
    }
  });

  it('a port in use is one line naming a free port, exit 2, before any service starts', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = taken.address() as { port: number };
    try {
      const line = await refusal('--model', 'payments-fraud@champion', '--port', String(port));
      expect(line).toMatch(new RegExp(`^port ${port} in use: try --port (\\d+)$`));
      const suggested = Number(/--port (\d+)$/.exec(line)![1]);
      expect(suggested).toBeGreaterThan(port);
    } finally {
      taken.close();
    }
  });

  it('binds a non-loopback --host as asked and warns once that it has no authentication', async () => {
    const dir = sandbox.dir();
    const trained = await runScript(TRAIN, ['--size', '400', '--seed', '3'], dir);
    expect(trained.status, trained.stderr).toBe(0);
    const child = spawnScript(
      SERVE,
      ['--model', 'payments-fraud@champion', '--host', '0.0.0.0', '--port', '0'],
      dir,
    );
    const exited = once(child, 'close');
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const m = /^serving .* on http:\/\/\S+:(\d+) /m.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.on('close', () => reject(new Error(`serve exited before listening:\n${stdout}\n${stderr}`)));
    });
    try {
      // Bound on every interface, so the loopback address answers too.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    // A signal drains and exits 0 (the command runs under `node --import tsx`: no relay process between).
    const [code] = (await exited) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/SIGTERM: draining in-flight requests\nstopped\n$/);
    // Read once the process has ended: stderr and stdout are separate pipes with no common order.
    const warnings = stderr.split('\n').filter((l) => /authentication/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--host 0\.0\.0\.0 is not a loopback address/);
    expect(warnings[0]).toMatch(/POST \/predict.*\/metrics.*\/readyz/);
  });
});
