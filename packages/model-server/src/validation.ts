/**
 * One way to name the field a JSON-schema (Ajv) error is about, for the server's 400 replies and the
 * model's own check alike: a missing or unknown property by its name, anything else by its path;
 * and that check itself, from the model's schema.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { InputValidationError } from './model.ts';

export interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

export function issueField(issue: AjvIssue): string {
  const named = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof named === 'string') return named;
  return issue.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : 'body';
}

/** The server's Ajv options (server.ts): no coercion ("12" is not a number), unknown fields kept. */
const ajv = new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: false });
/** Compiled once per schema object: every version of a model shares its schema. */
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * A check of request bodies against a model's JSON schema, for the paths with no Fastify schema in
 * front (the batch job, direct callers): the same rules, refused with InputValidationError naming
 * the first bad field. Returns the body, typed as what the schema promises.
 */
export function checkBody<T>(schema: Record<string, unknown>): (body: unknown) => T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const valid = validate;
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InputValidationError('body', 'must be a JSON object');
    }
    if (!valid(body)) {
      const e: AjvIssue = valid.errors?.[0] ?? {};
      throw new InputValidationError(issueField(e), e.message ?? 'invalid');
    }
    return body as T;
  };
}
