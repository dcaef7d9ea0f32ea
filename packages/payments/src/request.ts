/**
 * The payment request a client sends to a fraud model (Q16, Q19): one TypeBox schema, and the
 * TypeScript type inferred from it, so the two cannot disagree. The schema is plain JSON Schema:
 * Fastify checks HTTP bodies with it (Ajv) before any model code runs, the model server's adapter
 * checks direct and batch calls against the same schema with the same Ajv options, and the encoder
 * reads the inferred type once a body has passed. Types and bounds are here and nowhere else.
 * Reference: TypeBox (JSON Schema builder with static inference), Fastify's TypeBox type provider.
 */
import { CHANNELS } from '@mlops-lab/datagen';
import { type Static, Type } from '@sinclair/typebox';

/**
 * A string from a fixed list, as `{ type: 'string', enum }`. TypeBox's own union of literals would
 * become `anyOf` of `const`s, and Ajv would then answer "must be equal to constant" for the first
 * branch instead of "must be equal to one of the allowed values" (the pattern TypeBox documents).
 */
const StringEnum = <T extends string[]>(values: readonly [...T]) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** The request body: what the client knows at authorization time; no label, no customer history. */
export const PaymentRequest = Type.Object(
  {
    /** Dollars; bounded so an absurd value is refused rather than scored. */
    amount: Type.Number({ minimum: 0, maximum: 1e7 }),
    /** The cardholder's local hour: an integer, so 3.5 is refused, not rounded. */
    hourOfDay: Type.Integer({ minimum: 0, maximum: 23 }),
    deviceAgeDays: Type.Number({ minimum: 0, maximum: 1e5 }),
    distanceKm: Type.Number({ minimum: 0, maximum: 1e5 }),
    channel: StringEnum(CHANNELS),
    /** Optional: a category the model never saw encodes as all zeros instead of being refused. */
    merchantCategory: Type.Optional(Type.String({ maxLength: 64 })),
    country: Type.Optional(Type.String({ maxLength: 8 })),
  },
  // An unknown field is refused: a client sending `amount_cents` must hear about it.
  { additionalProperties: false },
);

export type PaymentRequest = Static<typeof PaymentRequest>;
