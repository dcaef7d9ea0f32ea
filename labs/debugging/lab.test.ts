/**
 * The debugging lab with --quick (against DATABASE_URL / REDIS_URL when set, else embedded): healthy
 * and under every break, exactly the declared checks fail; each cause is diagnosable (the step on its
 * shortest path prints its evidence, and no step prints another cause's); a mystery run with the
 * shortest path and the right guess; and --investigate runs only the steps named, counting them.
 * Each break's labels (steps, tables, checks; numbers out) are the healthy run's, as a mystery run
 * would print them: the narration never names the armed cause.
 */
import {
  diffAgainstExpected,
  labelsAsRead,
  type NarrationLabel,
  NO_SURPRISES,
  pickMystery,
  runRecorded,
} from '@mlops-lab/labkit';
import { describe, expect, it } from 'vitest';
import { BREAKS, type Cause, SHORTEST, STEPS } from './breaks.ts';
import lab from './lab.ts';

/** A phrase only the evidence of one cause prints. */
const MARK: Record<Cause, string> = {
  'upstream-nulls': "the feature query's fill value for a missing upstream row",
  'feature-regression': "differ from the training code's recompute",
  'rolled-back-model': 'champion moved back',
  'broken-metric': "are not the payment's own outcome",
};

async function runCaptured(fault: string | null, overrides: Parameters<typeof runRecorded>[2] = {}) {
  let text = '';
  const stdout = {
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
  const { report, labels } = await runRecorded(lab, fault, { silent: false, stdout, env: {}, ...overrides });
  // The output of each diagnostic step, by name ("N. Investigate: <name>: ...").
  const steps = new Map<string, string>();
  for (const part of text.split(/\n\d+\. Investigate: /).slice(1)) {
    steps.set(part.slice(0, part.indexOf(':')), part);
  }
  return { report, text, steps, labels };
}

let healthyLabels: NarrationLabel[] | undefined;

describe('lab debugging --quick', () => {
  it('healthy: every check passes, no step prints evidence, the shortest paths are shown', async () => {
    const { report, text, steps, labels } = await runCaptured(null);
    healthyLabels = labels;
    expect(diffAgainstExpected(report, lab)).toEqual(NO_SURPRISES);
    expect([...steps.keys()]).toEqual(STEPS.map((s) => s.name));
    for (const mark of Object.values(MARK)) expect(text).not.toContain(mark);
    for (const path of Object.values(SHORTEST)) expect(text).toContain(path.steps.join(' -> '));
    expect(report.metrics).toMatchObject({ diagnosticSteps: STEPS.length, evidenceAtStep: null });
  });

  for (const fault of BREAKS) {
    it(`--break ${fault.name}: fails exactly the declared checks; its evidence is in ${SHORTEST[fault.name as Cause].steps.at(-1)} and nowhere else`, async () => {
      const cause = fault.name as Cause;
      const { report, steps, labels } = await runCaptured(cause);
      expect(diffAgainstExpected(report, lab)).toEqual(NO_SURPRISES);
      healthyLabels ??= (await runCaptured(null)).labels;
      expect(labelsAsRead(labels, cause)).toEqual(labelsAsRead(healthyLabels, cause));
      const home = SHORTEST[cause].steps.at(-1)!;
      expect(steps.get(home)).toContain(MARK[cause]);
      for (const [step, output] of steps) {
        for (const [other, mark] of Object.entries(MARK)) {
          if (other === cause && step === home) continue;
          expect(output, `${step} prints evidence of ${other}`).not.toContain(mark);
        }
      }
    });
  }

  it('a mystery followed along its shortest path, then the right guess', async () => {
    const seed = 3;
    const secret = pickMystery(lab.breaks, seed).name as Cause;
    const { report, text, steps } = await runCaptured(null, {
      seed,
      mystery: true,
      guess: secret,
      investigate: { steps: SHORTEST[secret].steps },
    });
    expect(report.guess).toEqual({ fault: secret, correct: true });
    expect([...steps.keys()]).toEqual(SHORTEST[secret].steps);
    expect(report.metrics).toMatchObject({ diagnosticSteps: 2, evidenceAtStep: 2 });
    // Narration before the verdict never names the cause.
    expect(text.slice(0, text.indexOf('✔ correct'))).not.toContain(secret);
  });

  it('--investigate runs only the named steps, in order, and counts them', async () => {
    const { report, steps } = await runCaptured('broken-metric', {
      investigate: { steps: ['drift', 'registry', 'labels'] },
    });
    expect([...steps.keys()]).toEqual(['drift', 'registry', 'labels']);
    expect(report.metrics).toMatchObject({ diagnosticSteps: 3, evidenceAtStep: 3 });
    // The checks do not depend on which steps were shown.
    expect(diffAgainstExpected(report, lab)).toEqual(NO_SURPRISES);
  });
});
