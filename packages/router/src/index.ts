/**
 * @mlops-lab/router: champion-challenger routing in front of model servers (Q15, Q29, traffic half of
 * Q18): weighted sticky assignment, shadow traffic that never touches users, a prediction log joined
 * to delayed outcomes, a statistical verdict with guardrails, a canary ramp with rollback; per-attempt
 * timeouts, bounded retries and a fallback to the champion on the user's path. The statistics the
 * verdict stands on (AUC, DeLong, bootstrap, Wilson) are exported by @mlops-lab/evaluation.
 */

export {
  type CanaryEvent,
  type CanaryOptions,
  type CanaryResult,
  type CanaryStep,
  type GuardrailStats,
  runCanary,
} from './canary.ts';
export { type FollowedChampion, followChampion } from './champion.ts';
export { type JoinedPrediction, joinOutcomes, type RouterLog } from './log.ts';
export {
  createRouter,
  httpUpstream,
  REQUEST_ID_HEADER,
  REQUEST_KEY_HEADER,
  type Router,
  type RouterFaults,
  type RouterOptions,
  type ShadowConfig,
  type Upstream,
  type UpstreamReply,
} from './router.ts';
export {
  type RegistryRoutes,
  type RouteSource,
  registryRoutes,
  staticRoutes,
  type VersionWeights,
} from './routes.ts';
export {
  type ChampionSource,
  DEFAULT_RETRY,
  type FailureReason,
  type NextStep,
  type RetryPolicy,
} from './upstream-policy.ts';
export {
  falsePromotionRate,
  type GuardrailResult,
  type Guardrails,
  type NullExperimentOptions,
  type PromotionRate,
  promotionRate,
  type Verdict,
  type VerdictOptions,
  verdict,
} from './verdict.ts';
