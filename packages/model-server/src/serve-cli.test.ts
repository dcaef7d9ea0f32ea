/**
 * `pnpm serve` run as a person runs it (child processes on an empty embedded data folder): a bad
 * reference or option is one line and exit 2 before any service starts; a non-loopback --host is
 * bound as asked, with one line saying what it exposes without authentication; a port in use is
 * found before the model loads; --help prints the options and exits 0.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { keepOutput } from '@mlops-lab/services';
import { commandUnderTest, runScript } from '@mlops-lab/services/testing';
import { describe, expect, it } from 'vitest';

const { refusal, run, spawn, dir } = commandUnderTest('packages/model-server/src/serve-cli.ts');
const TRAIN = 'packages/training/src/train-cli.ts';

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
    expect(await refusal('--model', 'm@1', '--port', '-1')).toMatch(
      /^--port must be an integer from 0 to 65535, got "-1"/,
    );
    expect(await refusal('--model', `${'m'.repeat(65)}@1`)).toMatch(/at most 64/);
  });

  it('--help and -h print the options and an example request, exit 0, start nothing', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run([flag]);
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
    const data = dir();
    const trained = await runScript(TRAIN, ['--size', '400', '--seed', '3'], data);
    expect(trained.status, trained.stderr).toBe(0);
    const child = spawn(['--model', 'payments-fraud@champion', '--host', '0.0.0.0', '--port', '0'], data);
    const exited = once(child, 'close');
    const output = keepOutput(child, 'pnpm serve');
    const [, port] = await output.printed(/^serving .* on http:\/\/\S+:(\d+) /m);
    try {
      // Bound on every interface, so the loopback address answers too.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    // A signal drains and exits 0 (the command runs under `node --import tsx`: no relay process between).
    const [code] = (await exited) as [number | null];
    expect(code, output.err()).toBe(0);
    expect(output.out()).toMatch(/SIGTERM: draining in-flight requests\nstopped\n$/);
    // Read once the process has ended: stderr and stdout are separate pipes with no common order.
    const warnings = output
      .err()
      .split('\n')
      .filter((l) => /authentication/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--host 0\.0\.0\.0 is not a loopback address/);
    expect(warnings[0]).toMatch(/POST \/predict.*\/metrics.*\/readyz/);
  });
});
