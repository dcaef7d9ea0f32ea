/**
 * Replays recorded events against a model server's `/predict` (Q26, Q28, Q30): each request carries
 * its event's id and event time in the headers the server logs (REQUEST_ID_HEADER, EVENT_TIME_HEADER),
 * so the prediction log can join the labels that arrive later and window the traffic by when the
 * events happened, not when they were replayed. `concurrency` requests are in flight at a time, from
 * one shared cursor; the answers are counted by status and by the version that answered.
 */
import { EVENT_TIME_HEADER, type PredictReply, REQUEST_ID_HEADER } from './server.ts';

export interface ReplayRequest {
  /** The event's id: the key its label will be joined on. */
  requestId: string;
  /** The event's time, epoch ms. */
  at: number;
  /** The /predict body (sent as JSON). */
  body: unknown;
}

export interface Replayed {
  /** 200 answers. */
  ok: number;
  /** Any other status. */
  failed: number;
  /** 200 answers by the model version in the reply. */
  versions: Record<string, number>;
}

export async function replay(
  url: string,
  requests: readonly ReplayRequest[],
  concurrency = 8,
): Promise<Replayed> {
  const out: Replayed = { ok: 0, failed: 0, versions: {} };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const res = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [REQUEST_ID_HEADER]: r.requestId,
            [EVENT_TIME_HEADER]: String(r.at),
          },
          body: JSON.stringify(r.body),
        });
        if (res.status !== 200) {
          await res.arrayBuffer();
          out.failed++;
          continue;
        }
        const reply = (await res.json()) as Partial<PredictReply>;
        out.ok++;
        const version = reply.model?.version ?? '?';
        out.versions[version] = (out.versions[version] ?? 0) + 1;
      }
    }),
  );
  return out;
}
