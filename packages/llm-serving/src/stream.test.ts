/** The SSE replay: every token of a traced request arrives once, in order, then [DONE]; 404 otherwise. */
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from './sequence.ts';
import { parseSseData, startTokenStream, type TokenEvent } from './stream.ts';

const rec: RequestRecord = {
  id: 7,
  arrival: 1,
  promptTokens: 10,
  outputTokens: 4,
  outcome: 'finished',
  generated: 4,
  firstTokenAt: 1.5,
  finishedAt: 1.8,
  preemptions: 0,
  tokenTimes: [1.5, 1.6, 1.7, 1.8],
};

describe('startTokenStream', () => {
  it('replays each token once, in order, with its simulated time, then [DONE]', async () => {
    const server = await startTokenStream([rec], { timeScale: 0.05 });
    try {
      const res = await fetch(server.urlOf(7));
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const data = parseSseData(await res.text());
      expect(data.at(-1)).toBe('[DONE]');
      const events = data.slice(0, -1).map((d) => JSON.parse(d) as TokenEvent);
      expect(events.map((e) => e.index)).toEqual([0, 1, 2, 3]);
      expect(events.map((e) => e.t)).toEqual([0.5, 0.6, 0.7, 0.8].map((t) => expect.closeTo(t, 9)));
      expect((await fetch(server.urlOf(8))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses a non-positive time scale', async () => {
    await expect(startTokenStream([rec], { timeScale: 0 })).rejects.toThrow(/timeScale/);
  });
});
