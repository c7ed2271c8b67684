import { Type, type Static } from '@sinclair/typebox';

/** Durations accept milliseconds or `500ms`, `30s`, `5m`, `1h`; sizes bytes or `256kb`. */
const Duration = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(ms|s|m|h)?$' })]);
const ByteSize = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(b|kb|mb|gb)?$' })]);

/**
 * The retry schedule for `retry: true` results and thrown errors. The delay before retry n
 * (n = 1 after the first failed attempt) is `min(maxDelay, baseDelay × factor^(n−1))`; with
 * `jitter: full` a uniform random value between `minDelay` and that bound is used instead, so
 * deliveries failing together do not come back together. `retry: false` is final; a retry time
 * from the target (`Retry-After`, rate-limit reset) is obeyed exactly and skips this schedule.
 * How many attempts come from `actions.run.maxAttempts` / `connectorTypeOverrides`, as in Kibana.
 */
const RetrySchedule = Type.Object(
  {
    /** First retry bound; Kibana's task manager waits 30 s before the first retry. */
    baseDelay: Type.Union([Duration], { default: '30s' }),
    /** Growth per further attempt (Kibana doubles). */
    factor: Type.Number({ minimum: 1, maximum: 10, default: 2 }),
    /** Upper bound of any delay (Kibana caps at 1 h). */
    maxDelay: Type.Union([Duration], { default: '1h' }),
    /** Smallest delay jitter may pick, so a retry never lands on the failure it follows. */
    minDelay: Type.Union([Duration], { default: '1s' }),
    /** `full`: uniform in [minDelay, bound] (AWS "full jitter"); `none`: exactly the bound. */
    jitter: Type.Union([Type.Literal('full'), Type.Literal('none')], { default: 'full' }),
  },
  { additionalProperties: false, default: {} },
);

export const QueueSettings = Type.Object(
  {
    /** Run workers in `casebridge serve` (`casebridge worker` always runs them). */
    enabled: Type.Boolean({ default: true }),
    /** Deliveries running at once in one process, all connectors together. */
    concurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 32 }),
    /** Deliveries running at once for one connector in one process: one slow target cannot take every slot. */
    perConnectorConcurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 8 }),
    /** Most deliveries taken per claim query; bigger batches mean fewer round trips. */
    batchSize: Type.Integer({ minimum: 1, maximum: 1000, default: 32 }),
    /**
     * Fallback look for due work. New work wakes workers at once (LISTEN/NOTIFY on PostgreSQL, an
     * in-process signal on SQLite); polling catches retries coming due and other processes' work.
     */
    pollInterval: Type.Union([Duration], { default: '1s' }),
    /**
     * How long a claimed delivery belongs to its worker. A run is aborted before its lease ends;
     * a delivery whose worker died is taken back after it (and counts as an attempt).
     */
    leaseDuration: Type.Union([Duration], { default: '5m' }),
    /** How often a worker looks for expired leases and prunes finished deliveries. */
    maintenanceInterval: Type.Union([Duration], { default: '30s' }),
    retry: RetrySchedule,
    retention: Type.Object(
      {
        /** Succeeded and canceled deliveries are deleted this long after they finished. */
        finished: Type.Union([Duration], { default: '168h' }),
        /** Dead deliveries are kept longer, so someone can look at them and replay them. */
        dead: Type.Union([Duration], { default: '720h' }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** On SIGTERM/SIGINT: how long running deliveries may finish before they are released. */
    shutdownTimeout: Type.Union([Duration], { default: '30s' }),
    /** Largest `params` accepted by enqueue (serialised JSON). */
    maxParamsBytes: Type.Union([ByteSize], { default: '256kb' }),
  },
  { additionalProperties: false, default: {} },
);

export type QueueConfig = Static<typeof QueueSettings>;
