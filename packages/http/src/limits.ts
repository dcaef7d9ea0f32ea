/**
 * HTTP/1.1 hardening shared by the model server and the router (both Fastify 5 on node:http): a
 * bounded time to receive headers and the whole request (a client sending a body byte by byte is
 * answered 408 and closed), an idle-socket timeout, a keep-alive timeout, a cap on open connections
 * and on requests per socket, and counts of what Node answers or refuses before Fastify sees a
 * request (`<prefix>_client_errors_total{reason}`, `<prefix>_connections_dropped_total`).
 * References: Node http.Server (headersTimeout, requestTimeout, connectionsCheckingInterval,
 * keepAliveTimeout, maxRequestsPerSocket, 'clientError'), net.Server (maxConnections, 'drop'),
 * Fastify server options (serverFactory, connectionTimeout, keepAliveTimeout, requestTimeout).
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { Counter, type Registry } from 'prom-client';

export interface HttpLimits {
  /** Time to receive the request headers (slow headers get 408). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request, body included (a slow body gets 408); not the handler's time. */
  requestTimeoutMs?: number;
  /** A socket with no bytes either way for this long is destroyed (a reply must come sooner). */
  connectionTimeoutMs?: number;
  /** An idle keep-alive socket is closed after this; advertised in `Keep-Alive: timeout=`. */
  keepAliveTimeoutMs?: number;
  /** Open connections; a further one is closed at once (counted as dropped). */
  maxConnections?: number;
  /** Requests on one socket; the last is answered with `Connection: close`, so clients reconnect. */
  maxRequestsPerSocket?: number;
  /** How often Node looks for connections past the header / request timeouts (its default is 30 s). */
  checkIntervalMs?: number;
}

export const HTTP_LIMIT_DEFAULTS: Required<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 60_000,
  // Fastify's own default: longer than the 60 s idle timeout of common load balancers, which then
  // close an idle connection first instead of sending on one the server has just closed.
  keepAliveTimeoutMs: 72_000,
  maxConnections: 1024,
  // Long-lived keep-alive clients reconnect now and then, and so spread over new replicas.
  maxRequestsPerSocket: 1000,
  checkIntervalMs: 1000,
};

/** Where the counts go: `prefix` names the series (`model_server`, `router`). */
export interface HttpLimitMetrics {
  registry: Registry;
  prefix: string;
}

/** Node's error code for a request it refused before Fastify -> a small fixed label set. */
export function clientErrorReason(err: NodeJS.ErrnoException): string {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'timeout'; // 408: headers or body too slow
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'header_overflow'; // 431
  if (err.code === 'ECONNRESET') return 'reset'; // the client went away mid-request: no reply
  return 'malformed'; // 400: not HTTP the parser accepts
}

/**
 * Fastify options that build the server with these limits: spread into `Fastify({ ... })`. With a
 * serverFactory Fastify applies none of its own timeout options to the server, so the factory sets
 * them all; they are also passed as Fastify options so `app.initialConfig` shows them.
 */
export function httpServerOptions(
  limits: HttpLimits = {},
  metrics?: HttpLimitMetrics,
): Pick<
  FastifyServerOptions<Server>,
  'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout' | 'maxRequestsPerSocket' | 'serverFactory'
> {
  const l = { ...HTTP_LIMIT_DEFAULTS, ...limits };
  for (const [name, value] of Object.entries(l)) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`http limits: ${name} must be a positive integer`);
  }
  if (l.headersTimeoutMs > l.requestTimeoutMs) {
    throw new Error('http limits: headersTimeoutMs must not exceed requestTimeoutMs'); // Node refuses it too
  }
  const counts = metrics && limitCounters(metrics);
  return {
    connectionTimeout: l.connectionTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    maxRequestsPerSocket: l.maxRequestsPerSocket,
    serverFactory: (handler) => {
      // Node marks the last allowed reply `Connection: close` but keeps the socket open for a client
      // that ignores it (checked on Node 20); a `connection: close` header set here makes Node end it.
      const served = new WeakMap<Socket, number>();
      const counted: typeof handler = (req, res) => {
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        if (n >= l.maxRequestsPerSocket) res.setHeader('connection', 'close');
        handler(req, res);
      };
      const server = createServer(
        {
          headersTimeout: l.headersTimeoutMs,
          requestTimeout: l.requestTimeoutMs,
          keepAliveTimeout: l.keepAliveTimeoutMs,
          connectionsCheckingInterval: l.checkIntervalMs,
        },
        counted,
      );
      // Set again as properties: which of these createServer accepts as options varies by Node version.
      server.headersTimeout = l.headersTimeoutMs;
      server.requestTimeout = l.requestTimeoutMs;
      server.keepAliveTimeout = l.keepAliveTimeoutMs;
      server.setTimeout(l.connectionTimeoutMs);
      server.maxRequestsPerSocket = l.maxRequestsPerSocket;
      server.maxConnections = l.maxConnections;
      if (counts) {
        // Beside Fastify's own clientError handler (which writes the 400/408/431): this one only counts.
        server.on('clientError', (err: NodeJS.ErrnoException) =>
          counts.clientErrors.inc({ reason: clientErrorReason(err) }),
        );
        server.on('drop', () => counts.dropped.inc());
      }
      return server;
    },
  };
}

function limitCounters({ registry, prefix }: HttpLimitMetrics) {
  const registers = [registry];
  return {
    clientErrors: new Counter({
      name: `${prefix}_client_errors_total`,
      help: 'Requests Node refused before any handler: timeout (408), header_overflow (431), malformed (400), reset',
      labelNames: ['reason'] as const,
      registers,
    }),
    dropped: new Counter({
      name: `${prefix}_connections_dropped_total`,
      help: 'Connections closed on arrival because maxConnections were open',
      registers,
    }),
  };
}
