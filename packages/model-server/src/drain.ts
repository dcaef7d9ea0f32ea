/**
 * Graceful drain of a Fastify server on node:http, as the model server's close() runs it: stop
 * accepting, close idle keep-alive sockets, let every request already read finish (served, not
 * refused: the server runs with Fastify's `return503OnClosing: false`), each socket's last reply
 * marked `Connection: close`, then release the port; past a deadline, close whatever is left.
 * References: Node http.Server close / closeIdleConnections / closeAllConnections, Fastify close()
 * and return503OnClosing.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Requests open on each socket. `Connection: close` on a reply makes Node end the socket after it
 * and drop replies queued behind it (a client that sent its next request early), so only a
 * socket's last open reply may carry it.
 */
export class SocketRequests {
  private readonly open = new WeakMap<Socket, number>();

  constructor(server: Server) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.open.set(socket, (this.open.get(socket) ?? 0) + 1);
      res.once('close', () => this.open.set(socket, (this.open.get(socket) ?? 1) - 1));
    });
  }

  /** True when no other request waits on this socket. */
  isLast(socket: Socket): boolean {
    return (this.open.get(socket) ?? 0) <= 1;
  }
}

/** Drains `app`; `settle` runs after the last connection closed (e.g. idle batchers). */
export async function drainHttp(
  app: FastifyInstance,
  timeoutMs: number,
  settle: () => Promise<unknown> = async () => {},
): Promise<'drained' | 'forced'> {
  // app.close(): no new connections, idle sockets closed (Node does it once, in server.close()).
  const drained = app.close().then(settle);
  // A socket whose reply was on its way when the drain began turns idle only afterwards: close such
  // sockets as they appear, or they would hold the drain until their keep-alive timeout.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'forced'>((resolve) => {
    timer = setTimeout(() => resolve('forced'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([drained.then(() => 'drained' as const), deadline]);
    if (outcome === 'forced') app.server.closeAllConnections(); // a hung request must not hold shutdown
    return outcome;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
