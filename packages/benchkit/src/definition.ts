/**
 * The entry of a benchmark in the typed catalogue `pnpm bench` reads (scripts/benches.ts), as
 * LabDefinition is a lab's: a static list, so a benchmark is listed with what it measures and
 * what it needs, and a wrong entry is a type error or a failing test, not a silent omission.
 */

export type BenchService = 'postgres' | 'pgvector' | 'redis';

export interface BenchDefinition {
  /** What `pnpm bench <name>` takes. */
  name: string;
  /** The script, from the repository root. */
  file: `packages/${string}/bench/${string}.ts`;
  /** One line: what is measured, beside which baseline. */
  title: string;
  /** What it asks @mlops-lab/services for. */
  needs: readonly BenchService[];
  /** Its options besides --quick (which every benchmark takes: its fast mode). */
  options?: string;
}
