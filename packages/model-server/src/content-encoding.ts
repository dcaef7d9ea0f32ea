/**
 * Request bodies sent with `Content-Encoding: gzip | deflate | br` are decoded before Fastify parses
 * them: a preParsing hook returning a zlib stream (Fastify's Hooks reference shows decompression
 * there). bodyLimit holds after decoding: the decoded bytes are counted as they stream and the
 * pipeline is destroyed past the limit (413), so a zip bomb costs at most bodyLimit bytes of output.
 * Any other coding, or several stacked, is refused with 415 and an `Accept-Encoding` header naming
 * the supported ones (RFC 9110, 15.5.16). A body that is not valid in its coding: 400.
 */
import { pipeline, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { errorCodes, type FastifyError, type preParsingAsyncHookHandler } from 'fastify';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};
export const SUPPORTED_ENCODINGS = 'gzip, deflate, br';

function httpError(statusCode: number, code: string, message: string): FastifyError {
  return Object.assign(new Error(message), { statusCode, code, name: 'FastifyError' }) as FastifyError;
}

/** Counts bytes through; past `limit` it fails with `tooMuch()` instead of passing them on. */
function byteCounter(limit: number, tooMuch: () => Error) {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit) done(tooMuch());
      else done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/** The preParsing hook; `bodyLimit` is the server's, applied to the decoded body too. */
export function decodeContentEncoding(bodyLimit: number): preParsingAsyncHookHandler {
  return async (req, reply, payload) => {
    const coding = String(req.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    if (coding === '' || coding === 'identity') return payload;
    const decoder = DECODERS[coding]?.();
    if (!decoder) {
      reply.header('accept-encoding', SUPPORTED_ENCODINGS);
      throw httpError(
        415,
        'unsupported_encoding',
        `content-encoding "${coding}" is not supported (one of ${SUPPORTED_ENCODINGS}, or identity)`,
      );
    }
    decoder.once('error', (err: FastifyError) => {
      // Relabelled before pipeline passes it on: a client error, named in one line.
      Object.assign(err, {
        statusCode: 400,
        code: 'invalid_encoding',
        message: `body is not valid ${coding}`,
      });
    });
    const encoded = byteCounter(bodyLimit, () => new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    const decoded = byteCounter(bodyLimit, () => new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    pipeline(payload, encoded, decoder, decoded, () => {}); // errors reach Fastify through `decoded`
    // Fastify compares the bytes received on the wire with Content-Length through this property.
    Object.defineProperty(decoded, 'receivedEncodedLength', { get: () => encoded.bytes });
    return decoded;
  };
}
