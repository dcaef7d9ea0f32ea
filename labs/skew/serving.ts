/**
 * The serving path (Q5): features computed at request time by the server's own code, in TypeScript,
 * next to the training pipeline's SQL in offline.ts. This second implementation is the lab's lesson
 * and exists on purpose: everywhere else a payments model encodes with the one encoder of
 * @mlops-lab/payments, while here the service re-derives each feature by hand, as teams do. Real
 * systems have exactly this split (a batch job for training, a service for requests), and it is where
 * training-serving skew comes from: two implementations of one definition, each with its own clock,
 * defaults and loaded artifacts.
 *
 * Every request's feature vector is logged with its request id, entity and time (logger.ts), so the
 * skew detector can later recompute it offline and compare. `ServingConfig` holds the three choices
 * the lab's faults switch; the healthy values reproduce the training pipeline.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import type { Services } from '@mlops-lab/services';
import { type FeatureVector, type Model, score } from './model.ts';
import { type Artifact, loadArtifact } from './offline.ts';
import type { OnlineCounts } from './store.ts';
import { DAY_MS, UTC_OFFSET_MIN } from './world.ts';

export interface ServingConfig {
  /** Which clock the hour is read on: the payment's local time, or the server's own (UTC). */
  hourClock: 'local' | 'server';
  /** What a missing distance becomes. */
  missingDistance: 'training-median' | 'zero';
  /** Which feature artifact to load: the model's own, or a version pinned in the deploy config. */
  artifactVersion: 'from-model' | number;
}

export const HEALTHY_SERVING: ServingConfig = {
  hourClock: 'local',
  missingDistance: 'training-median',
  artifactVersion: 'from-model',
};

/**
 * A payment authorization as it reaches the fraud service: the recorded payment with no label (known
 * weeks later) and no precomputed hour (the service derives it from the timestamp and the country).
 */
export type ScoringRequest = Omit<PaymentEvent, 'label' | 'hourOfDay'> & { requestId: string };

export interface ServedRecord {
  requestId: string;
  eventId: string;
  customerId: string;
  timestamp: number;
  day: number;
  artifactVersion: number;
  features: FeatureVector;
  score: number;
}

const HOUR_MS = 3_600_000;

export class FraudService {
  private constructor(
    private readonly model: Model,
    private readonly artifact: Artifact,
    private readonly config: ServingConfig,
    private readonly counts: OnlineCounts,
  ) {}

  /** Start-up: load the feature artifact the config names (a Postgres row), once. */
  static async start(services: Services, model: Model, config: ServingConfig, counts: OnlineCounts) {
    const version = config.artifactVersion === 'from-model' ? model.artifactVersion : config.artifactVersion;
    return new FraudService(model, await loadArtifact(services, version), config, counts);
  }

  hour(timestamp: number, country: string | null): number | null {
    // The container runs in UTC, so the server's clock is UTC: right for logs, wrong for "local hour".
    if (this.config.hourClock === 'server') return new Date(timestamp).getUTCHours();
    const offset = country === null ? undefined : UTC_OFFSET_MIN[country];
    if (offset === undefined) return null;
    const local = (((timestamp + offset * 60_000) % DAY_MS) + DAY_MS) % DAY_MS;
    return Math.floor(local / HOUR_MS);
  }

  async features(r: ScoringRequest): Promise<FeatureVector> {
    const a = this.artifact;
    const fill = this.config.missingDistance === 'zero' ? 0 : a.distance_median;
    return {
      hour_of_day: this.hour(r.timestamp, r.country),
      // The amount transform of the payments encoder (log, floored at a cent), rewritten here: the lesson.
      amount_z:
        r.amount === null
          ? null
          : (Math.log(Math.max(r.amount, 0.01)) - a.amount_log_mean) / a.amount_log_std,
      distance_km: r.distanceKm ?? fill,
      device_age_days: r.deviceAgeDays,
      merchant_category: r.merchantCategory,
      channel: r.channel,
      txn_count_7d: (await this.counts.read(r.customerId, r.timestamp)) ?? 0,
    };
  }

  async handle(r: ScoringRequest, day: number): Promise<ServedRecord> {
    const features = await this.features(r);
    return {
      requestId: r.requestId,
      eventId: r.eventId,
      customerId: r.customerId,
      timestamp: r.timestamp,
      day,
      artifactVersion: this.artifact.version,
      features,
      score: score(this.model, features),
    };
  }
}
