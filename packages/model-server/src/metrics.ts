/**
 * The server's Prometheus series (Q16 observability, Q19 warm-up, Q31 cost levers), one prom-client
 * Registry per server so several servers in one process (labs, tests) keep separate counts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; fine at the bottom because the cache-hit path is well under a millisecond. */
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'model_server_requests_total',
      help: 'POST /predict replies by HTTP status',
      labelNames: ['status'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'model_server_request_duration_seconds',
      help: 'POST /predict handler latency (inside the server)',
      labelNames: ['path'] as const, // model | cache | dedup
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    stage: new Histogram({
      name: 'model_server_stage_duration_seconds',
      help: 'Time per pipeline stage: preprocess, queue (waiting for a batch), inference, postprocess',
      labelNames: ['stage'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    batchSize: new Histogram({
      name: 'model_server_batch_size',
      help: 'Rows per model call',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    inferenceRows: new Counter({
      name: 'model_server_inference_rows_total',
      help: 'Rows sent to the model (requests that reached inference)',
      registers,
    }),
    warmupSeconds: new Gauge({ name: 'model_server_warmup_seconds', help: 'Warm-up duration', registers }),
    loadSeconds: new Gauge({ name: 'model_server_load_seconds', help: 'Model load duration', registers }),
    firstRequestSeconds: new Gauge({
      name: 'model_server_first_request_seconds',
      help: 'Latency of the first /predict served after start',
      registers,
    }),
    modelInfo: new Gauge({
      name: 'model_server_model_info',
      help: 'The model being served (value 1)',
      labelNames: ['name', 'version'] as const,
      registers,
    }),
    ready: new Gauge({ name: 'model_server_ready', help: '1 when /readyz answers 200', registers }),
    cacheHits: new Counter({ name: 'model_server_cache_hits_total', help: 'Response cache hits', registers }),
    cacheMisses: new Counter({
      name: 'model_server_cache_misses_total',
      help: 'Response cache misses',
      registers,
    }),
    cacheEntries: new Gauge({
      name: 'model_server_cache_entries',
      help: 'Entries in the response cache (set when /metrics is read)',
      registers,
    }),
    coldShapeBatches: new Counter({
      name: 'model_server_cold_shape_batches_total',
      help: 'Batches served after ready at a batch shape the model had never run (not warmed)',
      registers,
    }),
    coldShapeSeconds: new Histogram({
      name: 'model_server_cold_shape_inference_seconds',
      help: 'Inference time of those first-at-their-shape batches',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    predictions: new Counter({
      name: 'model_server_predictions_total',
      help: 'Successful /predict replies by the model version that answered',
      labelNames: ['version'] as const,
      registers,
    }),
    routingWeight: new Gauge({
      name: 'model_server_routing_weight',
      help: 'The routing table in force: weight (percent) per target and the version it resolved to',
      labelNames: ['target', 'version'] as const,
      registers,
    }),
    routingUpdates: new Counter({
      name: 'model_server_routing_updates_total',
      help: 'Routing tables put in force (the first one included)',
      registers,
    }),
    routingErrors: new Counter({
      name: 'model_server_routing_errors_total',
      help: 'Failed reads of the change notice (redis) or the table (postgres), failed resolves or loads; the last good table stays',
      labelNames: ['stage'] as const, // redis | postgres | resolve | load
      registers,
    }),
    routingAge: new Gauge({
      name: 'model_server_routing_last_good_read_age_seconds',
      help: 'Seconds since the routing notice (store=redis) or table (store=postgres) was last read successfully',
      labelNames: ['store'] as const,
      registers,
    }),
    predictionLogErrors: new Counter({
      name: 'model_server_prediction_log_errors_total',
      help: 'Served predictions the prediction log refused (a bad record): the reply went out, the log row did not',
      registers,
    }),
    dedupJoins: new Counter({
      name: 'model_server_dedup_joins_total',
      help: 'Requests answered by joining an identical in-flight request',
      registers,
    }),
  };
}

export type ServerMetrics = ReturnType<typeof createMetrics>;
