/**
 * A model server in its own process for `pnpm bench router`: the stand-in of stand-in-upstream.ts
 * (the router sees a model server only through HTTP), each reply delayed by `delayMs` (0 for the
 * champion). Prints its URL on the first stdout line and serves until SIGTERM. Separate processes
 * keep the challenger's work off the router's event loop, as it is in production.
 *   usage: upstream.ts <version> <delayMs>
 */
import { scored, standInUpstream } from '../../src/stand-in-upstream.ts';

const [version = '1', delay = '0'] = process.argv.slice(2);
const delayMs = Number(delay);
const server = await standInUpstream(async (_call, body) => {
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  return scored(version, body);
});
console.log(server.url);
console.log('ready');
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
