/**
 * The streaming view of one request (Q20: streaming changes the API surface): a server-sent-events
 * endpoint on loopback that replays a simulated request's tokens at their simulated times (scaled by
 * `timeScale`, so a 10 s request can be watched in 1 s). A client sees what a chat UI sees: nothing
 * during queueing and prefill (TTFT), then one event per token. Format per the WHATWG HTML standard,
 * "Server-sent events": `id:` and `data:` lines, a blank line per event, `data: [DONE]` at the end
 * (as OpenAI-style completion streams do). Written on node:http: one route, no framework needed.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestRecord } from './sequence.ts';

export interface TokenStreamServer {
  /** `http://127.0.0.1:<port>/v1/requests/<id>/stream` for each replayable request. */
  urlOf(id: number): string;
  close(): Promise<void>;
}

export interface TokenEvent {
  /** 0-based token index. */
  index: number;
  /** Simulated seconds since the request arrived. */
  t: number;
}

/** Serves the traced requests (those with tokenTimes) as SSE streams; 404 for any other path. */
export async function startTokenStream(
  records: readonly RequestRecord[],
  options: { timeScale: number },
): Promise<TokenStreamServer> {
  if (!(options.timeScale > 0)) throw new RangeError(`timeScale ${options.timeScale} must be > 0`);
  const byId = new Map(records.filter((r) => r.tokenTimes).map((r) => [r.id, r]));
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const m = /^\/v1\/requests\/(\d+)\/stream$/.exec(req.url ?? '');
    const rec = m ? byId.get(Number(m[1])) : undefined;
    if (req.method !== 'GET' || !rec?.tokenTimes) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such stream\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    open.add(res);
    const times = rec.tokenTimes;
    const start = performance.now();
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(timer);
      open.delete(res);
    };
    res.on('close', stop);
    const pump = () => {
      // Send every token whose (scaled) time has come, then sleep until the next one.
      const elapsed = (performance.now() - start) / 1000;
      while (i < times.length && (times[i] - rec.arrival) * options.timeScale <= elapsed) {
        const event: TokenEvent = { index: i, t: times[i] - rec.arrival };
        res.write(`id: ${i}\ndata: ${JSON.stringify(event)}\n\n`);
        i++;
      }
      if (i >= times.length) {
        res.end('data: [DONE]\n\n');
        stop();
        return;
      }
      const wait = (times[i] - rec.arrival) * options.timeScale - elapsed;
      timer = setTimeout(pump, Math.max(0, wait * 1000));
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlOf: (id) => `http://127.0.0.1:${port}/v1/requests/${id}/stream`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of open) res.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Parses SSE text into its `data:` payloads (one per event), for clients and tests. */
export function parseSseData(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart());
    if (data.length) out.push(data.join('\n'));
  }
  return out;
}
