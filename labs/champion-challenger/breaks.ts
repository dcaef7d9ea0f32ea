/**
 * The champion-challenger lab's checks and the faults that flip them (Q15, Q29). Each fault is a named
 * switch in a real code path: three in the router (`faults` of @mlops-lab/router createRouter), one in
 * the lab's decision rule (decide.ts).
 */
import type { LabBreak } from '@mlops-lab/labkit';
import { SLOW_MS } from './deploy.ts';

export const CHECK = {
  noLeak: 'no user reply came from a challenger while it was in shadow',
  userLatency:
    'the user never waits for the shadow: at most 5% of mirrored requests answered after their shadow call ended',
  logged: 'every mirrored request is in the log with its served twin',
  promote: 'the retrained challenger is promoted on its labelled shadow traffic',
  rollback: 'a canary on the slow replica is rolled back at its first step by the p99 guardrail',
  ramp: 'the canary 5% -> 25% -> 100% stays healthy and the champion alias moves to the challenger',
  sticky: 'every user saw one version within each canary step',
  offlineWin: 'the second challenger beats the champion on the offline test set',
  shadowKeep: 'in shadow on live traffic the offline winner loses: verdict keep',
  nullRate: 'false-promotion rate under the null is consistent with alpha (its 95% CI reaches down to alpha)',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'shadow-leak',
    symptom: 'while the challenger is only in shadow, some users get answers that name the challenger',
    hint: 'count the replies by the version they name during the shadow phase, and compare with the log',
    explanation:
      'The router answers a mirrored request with the shadow reply (fault `returnShadow` in ' +
      'packages/router/src/router.ts). Shadow mode exists to score a model on real traffic with zero ' +
      'user impact; here half the users are served by an unvalidated model, and because the router has ' +
      'to wait for the shadow call to return its answer, they also wait for the slow shadow replica. ' +
      'Worse, the prediction log still records the champion as the served version, so analytics and the ' +
      'verdict believe nothing happened. A shadow reply must be discarded by construction: the mirror is ' +
      'started after the user answer is on its way and its result only goes to the log.',
    flips: [CHECK.noLeak, CHECK.userLatency],
  },
  {
    name: 'slow-challenger',
    symptom:
      'user-facing p99 jumps as soon as shadow traffic is switched on, although replies still come from the champion',
    hint: 'the champion did not get slower: what else is the user waiting for?',
    explanation:
      'The router awaits the shadow call before it replies (fault `shadowOnUserPath`). The challenger ' +
      'runs on a slow replica, so every mirrored request now costs the user the challenger latency too: ' +
      `p99 goes from a few ms to over ${SLOW_MS} ms. Shadow must be fire-and-forget: reply first, mirror after, ' +
      'with a timeout and a bound on calls in flight, so a slow or hung challenger cannot touch users ' +
      '(Istio mirroring and Seldon mirrors work this way).`,
    flips: [CHECK.userLatency],
  },
  {
    name: 'biased-split',
    symptom: 'the canary ramps and promotes, but many users were answered by both versions within one step',
    hint: 'group the canary replies by user: how many versions did each user see while the weights held?',
    explanation:
      'Assignment draws a random number per request instead of hashing the routing key (fault ' +
      '`nonSticky`). The shares still look right on average, but a user flips between champion and ' +
      'challenger from one payment to the next: an inconsistent experience, and a broken experiment, since ' +
      "a user's outcome can no longer be attributed to one version (their later behaviour mixes both). " +
      'Hash a stable key (user id) into [0, 1) and compare with the cumulative weights: the same user keeps ' +
      'the same version while the table holds, and a ramp only moves users one way.',
    flips: [CHECK.sticky],
  },
  {
    name: 'peeking',
    symptom:
      'the decisions look fine and come sooner, but the false-promotion rate under the null is far above alpha',
    hint: 'how many times was the test run on the same experiment, and what does each look cost?',
    explanation:
      'The decision rule runs the verdict after every 50 labels and stops at the first "promote", ' +
      'starting before the planned minimum sample. Each look is a test at level alpha; taking the first ' +
      'success of many correlated looks inflates the chance of promoting a challenger that is no better ' +
      '(here several times alpha, measured over many simulated experiments with two equally good models). ' +
      'Fix the sample size before the experiment (from the effect you need to detect and the power you ' +
      'want) and decide once, or use a sequential method built for repeated looks (alpha spending, ' +
      'always-valid p-values).',
    flips: [CHECK.nullRate],
  },
];
