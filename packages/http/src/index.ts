/**
 * @mlops-lab/http: what every HTTP server of the project shares (the model server and the router):
 * connection and request limits with counters for what Node refuses before a handler runs
 * (limits.ts), the quantile of a prom-client histogram (histogram.ts) and the request id header both
 * honour (headers.ts). Raw HTTP clients for
 * tests (slow bodies, keep-alive sockets) are at `@mlops-lab/http/testing`.
 */

export { REQUEST_ID_HEADER } from './headers.ts';
export { histogramQuantile } from './histogram.ts';
export {
  clientErrorReason,
  HTTP_LIMIT_DEFAULTS,
  type HttpLimitMetrics,
  type HttpLimits,
  httpServerOptions,
} from './limits.ts';
