/**
 * @mlops-lab/payments: the payments domain, each idea once (Q5, Q6, Q16): the request a client
 * sends (a TypeBox schema and its inferred type), the encoder every payments model reads it with,
 * the synthetic world's payments as request bodies, a payments table's columns read back as fields,
 * and the catalogue of the world's feature views.
 * README.md in this package.
 */
export { paymentBodies, paymentBody } from './bodies.ts';
export { type PaymentFeatureColumns, type PaymentFeatures, paymentFeatures } from './columns.ts';
export {
  encodePayment,
  featureNames,
  fitPaymentStats,
  type PaymentInput,
  type PaymentStats,
  TRANSFORM_VERSION,
} from './encoder.ts';
export {
  activitySourceRows,
  customerActivityView,
  customerRiskView,
  loadHistorySources,
  PAYMENTS_FEATURE_VIEWS,
  riskSourceRows,
  secondsSinceLastActivity,
} from './feature-views.ts';
export { PaymentRequest } from './request.ts';
