/**
 * The model's own body check (Q16): the rules of the schema Fastify applies, refused with the field
 * named, for the paths no Fastify schema guards (the batch job, direct callers).
 */
import { describe, expect, it } from 'vitest';
import { InputValidationError } from './model.ts';
import { checkBody } from './validation.ts';

const schema = {
  type: 'object',
  required: ['n'],
  additionalProperties: false,
  properties: { n: { type: 'integer', minimum: 0 }, s: { type: 'string' } },
};
const check = checkBody<{ n: number; s?: string }>(schema);

const refusal = (body: unknown) => {
  try {
    check(body);
  } catch (e) {
    return e instanceof InputValidationError
      ? `${e.field}: ${e.reason}`
      : `not an InputValidationError: ${e}`;
  }
  return 'accepted';
};

describe('checkBody', () => {
  it('returns a valid body as it came', () => {
    const body = { n: 3, s: 'x' };
    expect(check(body)).toBe(body);
  });

  it('names the field: missing, unknown, mistyped, out of range; a non-object is the body', () => {
    expect(refusal({})).toBe("n: must have required property 'n'");
    expect(refusal({ n: 1, extra: true })).toBe('extra: must NOT have additional properties');
    expect(refusal({ n: '1' })).toBe('n: must be integer'); // no coercion, as on the HTTP path
    expect(refusal({ n: 2.5 })).toBe('n: must be integer');
    expect(refusal({ n: -1 })).toBe('n: must be >= 0');
    expect(refusal([1])).toBe('body: must be a JSON object');
    expect(refusal(null)).toBe('body: must be a JSON object');
  });
});
