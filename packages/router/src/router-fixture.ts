/**
 * What the router's HTTP tests set up alike (router.test.ts, router.faults.test.ts): Postgres and
 * Redis with the prediction log's tables, stand-in model servers (stand-in-upstream.ts) closed after
 * the test file, and a router over version -> URL upstreams with a static routing table.
 */
import { migrateMonitoring } from '@mlops-lab/monitoring';
import { testServices } from '@mlops-lab/services/vitest';
import { afterAll } from 'vitest';
import { createRouter, httpUpstream, type Router, type RouterOptions } from './router.ts';
import { staticRoutes } from './routes.ts';
import { type StandIn, type StandInScript, standInUpstream } from './stand-in-upstream.ts';

/** The services of a router test file: the router logs its answers to the prediction log. */
export const routerServices = (namespace: string) =>
  testServices({ needs: ['postgres', 'redis'], namespace, prepare: migrateMonitoring });

/** A starter of stand-in model servers, each answering as its script says, all closed after the file. */
export function standInsOfFile(): (script: StandInScript) => Promise<StandIn> {
  const open: StandIn[] = [];
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
  });
  return async (script) => {
    const s = await standInUpstream(script);
    open.push(s);
    return s;
  };
}

/** A router over `urls` (version -> model server, 16 connections each), routed by static `weights`. */
export function routerOver(
  urls: Record<string, string>,
  weights: Record<string, number>,
  opts: Partial<RouterOptions> = {},
): Router {
  const upstreams = Object.fromEntries(Object.entries(urls).map(([v, u]) => [v, httpUpstream(v, u, 16)]));
  return createRouter({ upstreams, routes: staticRoutes(weights), ...opts });
}
