/**
 * How an error becomes a /predict reply (the server's Fastify error handler): a bad field is 400
 * naming it (the model's own check or the body schema), a model call past its time is 503, other
 * client errors keep their status with Fastify's code and message (413 body too large, 415 coding),
 * anything else is 500 with no detail, logged.
 */
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InferenceTimeoutError } from './batcher.ts';
import { InputValidationError } from './model.ts';
import { type AjvIssue, issueField } from './validation.ts';

export function errorReply(log: FastifyBaseLogger) {
  return (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof InputValidationError) {
      return reply.code(400).send({ error: 'invalid_input', field: err.field, reason: err.reason });
    }
    if (err.validation) {
      const v = err.validation[0] as AjvIssue;
      return reply
        .code(400)
        .send({ error: 'invalid_input', field: issueField(v), reason: v.message ?? 'invalid' });
    }
    if (err instanceof InferenceTimeoutError) {
      // Retryable: the server is up, this call was too slow (Fastify's own handlerTimeout is a 503 too).
      return reply.code(503).send({ error: 'inference_timeout', reason: err.message });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: err.code ?? 'bad_request', field: 'body', reason: err.message });
    }
    log.error(err);
    return reply.code(500).send({ error: 'internal', reason: 'internal error' });
  };
}
