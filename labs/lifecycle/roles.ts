/**
 * How much of this repository is model code (Q3), measured at run time: every file git tracks (or, with
 * no git, every file under the root outside node_modules and dot-folders) is read, its non-blank lines
 * counted, and the file given one role by the first rule below that matches its path. The rules are the
 * whole definition: a file no rule knows is `unclassified`, and the lab's check says so.
 * The idea behind the measure: Sculley et al., "Hidden Technical Debt in Machine Learning Systems"
 * (NeurIPS 2015), whose figure puts the ML code in a small box among data, features, serving,
 * monitoring and configuration.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROLES = [
  'model code',
  'data',
  'features',
  'serving',
  'monitoring',
  'infrastructure',
  'tests',
  'labs (scenarios)',
  'docs',
  'unclassified',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * First match wins, so the specific rules come first: a test is a test wherever it lives, a lab is a
 * scenario whatever it imports, and inside @mlops-lab/training the files that define, fit and score a
 * model are told apart from its data gate (data) and its scheduled pipeline (infrastructure).
 */
export const RULES: readonly { role: Role; test: RegExp; why: string }[] = [
  { role: 'tests', test: /(\.test\.ts$|\/golden\/|(^|\/)fixtures?\/)/, why: 'tests and their golden files' },
  { role: 'docs', test: /\.md$/, why: 'README, ARCHITECTURE and the other pages' },
  { role: 'labs (scenarios)', test: /^labs\//, why: 'the labs that drive the packages' },
  {
    role: 'model code',
    test: /^packages\/training\/src\/(logistic|tf-model|tfjs|payments-logistic|calibration|train-input|servable|snapshot-train|metrics)\.ts$|^packages\/training\/src\/(quantize\/|retrain\/model\.ts$)|^packages\/retriever\/src\/embedder\.ts$/,
    why: 'defining, fitting, scoring and quantizing models',
  },
  {
    role: 'data',
    test: /^packages\/(datagen|datasets)\/|^packages\/training\/src\/ci\/|^packages\/training\/src\/retrain\/(feed|data|validate)\.ts$/,
    why: 'synthetic worlds, versioned snapshots, the data gate, the feed',
  },
  { role: 'features', test: /^packages\/(feature-store|payments)\//, why: 'feature store and the encoder' },
  {
    role: 'serving',
    test: /^packages\/(model-server|router|llm-serving|registry|retriever|http)\//,
    why: 'servers, routing, the registry, retrieval',
  },
  {
    role: 'monitoring',
    test: /^packages\/(monitoring|drift|evaluation)\//,
    why: 'logs, monitors, statistics',
  },
  {
    role: 'infrastructure',
    test: /^packages\/(services|labkit|benchkit|training)\/|^scripts\/|^docker|^\.ci\/|^[^/]+$/,
    why: 'stores, runners, the retrain scheduler, CLIs, build and config',
  },
];

export function roleOf(path: string): Role {
  return RULES.find((r) => r.test.test(path))?.role ?? 'unclassified';
}

export interface LineCount {
  files: number;
  lines: Record<Role, number>;
  filesByRole: Record<Role, number>;
  /** Paths no rule matched (empty when every file has a role). */
  unclassified: string[];
  source: 'git ls-files' | 'directory walk';
}

function walk(root: string, dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(root, full, out);
    else out.push(relative(root, full));
  }
}

function trackedFiles(root: string): { paths: string[]; source: LineCount['source'] } {
  try {
    const text = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
    return { paths: text.split('\0').filter(Boolean), source: 'git ls-files' };
  } catch {
    const paths: string[] = [];
    walk(root, root, paths);
    return { paths, source: 'directory walk' };
  }
}

/** Non-blank lines per role; the lock file is generated, not written, and is left out. */
export function countLines(root: string): LineCount {
  const { paths, source } = trackedFiles(root);
  const zero = () => Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
  const lines = zero();
  const filesByRole = zero();
  const unclassified: string[] = [];
  let files = 0;
  for (const path of paths) {
    if (path === 'pnpm-lock.yaml') continue;
    let text: string;
    try {
      text = readFileSync(join(root, path), 'utf8');
    } catch {
      continue; // tracked but deleted in the working tree
    }
    const role = roleOf(path);
    if (role === 'unclassified') unclassified.push(path);
    lines[role] += text.split('\n').filter((l) => l.trim() !== '').length;
    filesByRole[role]++;
    files++;
  }
  return { files, lines, filesByRole, unclassified, source };
}

/** The system's own code: every role before tests (tests, the labs and docs are counted apart). */
export const SYSTEM_ROLES: readonly Role[] = ROLES.slice(0, ROLES.indexOf('tests'));
