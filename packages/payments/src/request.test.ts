/**
 * The payment request contract (Q16): the schema Fastify and the model server's adapter check, and
 * the bodies the synthetic world sends, which must all pass it.
 */
import { CHANNELS } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { paymentBodies } from './bodies.ts';
import { PaymentRequest } from './request.ts';

describe('PaymentRequest', () => {
  it('is plain JSON Schema: required fields, bounds, the channel list, no unknown fields', () => {
    // What Ajv reads: symbols (TypeBox's own markers) do not survive JSON, nothing else may be lost.
    const json = JSON.parse(JSON.stringify(PaymentRequest));
    expect(json.type).toBe('object');
    expect(json.additionalProperties).toBe(false);
    expect(json.required).toEqual(['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm', 'channel']);
    expect(json.properties.hourOfDay).toEqual({ type: 'integer', minimum: 0, maximum: 23 });
    expect(json.properties.amount).toEqual({ type: 'number', minimum: 0, maximum: 1e7 });
    expect(json.properties.channel).toEqual({ type: 'string', enum: [...CHANNELS] });
    expect(json.properties.merchantCategory).toEqual({ type: 'string', maxLength: 64 });
  });
});

describe('paymentBodies', () => {
  const bodies = paymentBodies(3, 400);
  const { properties, required } = PaymentRequest;

  it('is deterministic for a seed', () => {
    expect(paymentBodies(3, 400)).toEqual(bodies);
    expect(paymentBodies(4, 400)).not.toEqual(bodies);
  });

  it('sends only fields the schema knows, every required one, within its bounds', () => {
    for (const body of bodies) {
      for (const key of required ?? []) expect(body).toHaveProperty(key);
      for (const [key, value] of Object.entries(body)) {
        const field = properties[key as keyof typeof properties] as {
          type: string;
          minimum?: number;
          maximum?: number;
          enum?: string[];
        };
        expect(field, `unknown field ${key}`).toBeDefined();
        if (field.type === 'string') expect(typeof value).toBe('string');
        else {
          expect(Number.isFinite(value)).toBe(true);
          if (field.type === 'integer') expect(Number.isInteger(value)).toBe(true);
          expect(value as number).toBeGreaterThanOrEqual(field.minimum ?? -Infinity);
          expect(value as number).toBeLessThanOrEqual(field.maximum ?? Infinity);
        }
        if (field.enum) expect(field.enum).toContain(value);
      }
    }
  });
});
