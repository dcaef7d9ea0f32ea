/**
 * The candidate changes the lab puts through CI (Q11): a good one (more epochs, another seed), and
 * the bad ones the breaks carry: upstream changes to the payments table, and candidate specs.
 */
import { fraudDisputes, type PaymentEvent } from '@mlops-lab/datagen';
import type { Services } from '@mlops-lab/services';
import type { CandidateSpec } from '@mlops-lab/training';

/** The good change: train a few more epochs, from another seed. */
export const GOOD_CHANGE: CandidateSpec = { seed: 11, shuffleSeed: 11, epochs: 14 };

/** The candidate spec a fault puts up for review. */
export function candidateFor(fault: string | null): CandidateSpec {
  if (fault === 'leaky-feature') return { ...GOOD_CHANGE, extraFeatures: ['disputes_next_30d'] };
  if (fault === 'worse-model') return { ...GOOD_CHANGE, drop: ['log_amount', 'log_distanceKm'] };
  if (fault === 'nondeterministic-transform') return { ...GOOD_CHANGE, shuffleSeed: null };
  return GOOD_CHANGE;
}

/**
 * What changes upstream of the training table: the schema break renames a column; the leaky
 * feature job adds `disputes_next_30d`, the disputes of each payment filed in the 30 days after it, by one
 * SQL UPDATE over a disputes table. Returns a line saying what changed, or null.
 */
export async function changeUpstream(
  services: Services,
  fault: string | null,
  events: readonly PaymentEvent[],
  seed: number,
): Promise<string | null> {
  if (fault === 'schema-change') {
    await services.pg.query('ALTER TABLE payments RENAME COLUMN amount TO amount_usd');
    return 'upstream renamed payments.amount to amount_usd';
  }
  if (fault === 'leaky-feature') {
    const disputes = fraudDisputes(events, seed);
    await services.pg.query(`CREATE TABLE disputes ("eventId" text NOT NULL, at float8 NOT NULL)`);
    await services.pg.query('INSERT INTO disputes SELECT * FROM unnest($1::text[], $2::float8[])', [
      disputes.map((d) => d.eventId),
      disputes.map((d) => d.at),
    ]);
    await services.pg.query('ALTER TABLE payments ADD COLUMN disputes_next_30d int4');
    await services.pg.query(
      `UPDATE payments p SET disputes_next_30d = (SELECT count(*) FROM disputes d
         WHERE d."eventId" = p."eventId" AND d.at > p."timestamp" AND d.at <= p."timestamp" + 30 * 86400000.0)`,
    );
    return `a feature job added payments.disputes_next_30d (disputes of the payment in the 30 days after it) from ${disputes.length} disputes`;
  }
  return null;
}
