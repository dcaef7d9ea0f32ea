/**
 * The client side of the streaming view (Q20): reads one request's SSE stream with undici and
 * records the wall time of every event, the way a chat UI would see the tokens arrive.
 */
import { parseSseData, type TokenEvent } from '@mlops-lab/llm-serving';
import { request } from 'undici';

export interface StreamReading {
  events: TokenEvent[];
  done: boolean;
  /** Wall seconds from sending the request to the first token event, and to [DONE]. */
  firstEventWall: number;
  lastEventWall: number;
}

export async function readStream(url: string): Promise<StreamReading> {
  // From sending the request: the server starts its replay clock when the request arrives.
  const t0 = performance.now();
  const res = await request(url);
  if (res.statusCode !== 200) throw new Error(`stream ${url} answered ${res.statusCode}`);
  const events: TokenEvent[] = [];
  let done = false;
  let firstEventWall = Number.NaN;
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += chunk.toString();
    const cut = buffer.lastIndexOf('\n\n');
    if (cut < 0) continue;
    for (const data of parseSseData(buffer.slice(0, cut + 2))) {
      if (data === '[DONE]') done = true;
      else {
        if (events.length === 0) firstEventWall = (performance.now() - t0) / 1000;
        events.push(JSON.parse(data) as TokenEvent);
      }
    }
    buffer = buffer.slice(cut + 2);
  }
  return { events, done, firstEventWall, lastEventWall: (performance.now() - t0) / 1000 };
}
