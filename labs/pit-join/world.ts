/**
 * The pit-join lab's timeline over the datagen customer-history world (payments, disputes, and the
 * feature rows the pipeline wrote): six weeks of history to train on, two weeks of "production".
 */
import { type CustomerHistory, generateCustomerHistory, type HistoryFeatureRow } from '@mlops-lab/datagen';

export const DAY_MS = 24 * 3600 * 1000;
export const START_MS = Date.UTC(2026, 1, 2);
/** Weeks 1-6 are history (training); weeks 7-8 are "production", scored after training. */
export const TRAIN_WEEKS = 6;
export const WEEKS = 8;

export type World = CustomerHistory;
export type FeatureRow = HistoryFeatureRow;

/**
 * Few payments per customer: with dozens each, a customer's latest dispute count says little about
 * one payment, and the leak this lab measures would drown in the average.
 */
export function buildWorld(seed: number, quick: boolean): World {
  return generateCustomerHistory({
    seed,
    start: START_MS,
    weeks: WEEKS,
    customers: quick ? 15000 : 60000,
    paymentsPerWeek: quick ? 2500 : 12000,
    backfillAt: START_MS + TRAIN_WEEKS * 7 * DAY_MS,
  });
}
