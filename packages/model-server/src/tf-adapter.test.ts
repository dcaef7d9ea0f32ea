/**
 * The registry path end to end (Q16, Q18): a TF.js model trained and registered by @mlops-lab/training,
 * loaded by reference, served through the adapter; an unknown reference is a clear registry error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from '@mlops-lab/registry';
import { testServices } from '@mlops-lab/services/vitest';
import { trainAndRegister } from '@mlops-lab/training';
import { afterAll, describe, expect, it } from 'vitest';
import { paymentBodies } from './payments-model.ts';
import { createServer } from './server.ts';
import { loadServingModel } from './tf-adapter.ts';

const artifactsRoot = mkdtempSync(join(tmpdir(), 'model-server-artifacts-'));
const services = testServices({
  needs: ['postgres'],
  namespace: 'model-server-tf',
  prepare: async (s) => {
    await trainAndRegister({ services: s, name: 'fraud-test', size: 800, epochs: 2, artifactsRoot });
  },
});
afterAll(() => {
  rmSync(artifactsRoot, { recursive: true, force: true });
});

describe('TF.js registry model behind the server', () => {
  it('serves fraud-test@champion with the training preprocess', async () => {
    const model = await loadServingModel(services, 'fraud-test@champion', { artifactsRoot });
    expect(model.version).toBe('1');
    const server = createServer({ model, warmup: { batchSizes: [1, 8] } });
    try {
      const url = await server.start();
      await server.ready;
      const res = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(paymentBodies(9, 1)[0]),
      });
      expect(res.status).toBe(200);
      const out = (await res.json()) as { score: number; model: { version: string } };
      expect(out.score).toBeGreaterThan(0);
      expect(out.score).toBeLessThan(1);
      expect(out.model.version).toBe('1');
      expect(() => model.preprocess({ ...paymentBodies(9, 1)[0], amount: 'x' })).toThrow(/amount/);
      // The model's own check has the schema's rules: an hour of 3.5 is refused off the HTTP path too.
      expect(() => model.preprocess({ ...paymentBodies(9, 1)[0], hourOfDay: 3.5 })).toThrow(/hourOfDay/);
    } finally {
      await server.close();
    }
  });

  it('refuses an unregistered reference with a registry error', async () => {
    await expect(loadServingModel(services, 'nope@champion', { artifactsRoot })).rejects.toBeInstanceOf(
      RegistryError,
    );
  });
});
