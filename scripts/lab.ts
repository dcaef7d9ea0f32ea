/**
 * Entry point of `pnpm lab` (ARCHITECTURE.md "Lab anatomy"); the logic lives in lib/lab-cli.ts.
 */
import type { LabDefinition } from '@mlops-lab/labkit';
import { main } from './lib/lab-cli.ts';

// `pnpm lab | head` closes stdout early; the lab keeps running to close its services instead of dying on EPIPE.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

/** Loaded dynamically so a lab that fails to import gets a one-line error instead of a loader trace. */
async function loadCatalogue(): Promise<readonly LabDefinition[] | null> {
  try {
    return (await import('./catalogue.ts')).catalogue;
  } catch (error) {
    process.stderr.write(`error: could not load the lab catalogue: ${(error as Error).message}\n`);
    if (process.env.DEBUG === '1') process.stderr.write(`${(error as Error).stack}\n`);
    else process.stderr.write('(DEBUG=1 prints the stack)\n');
    return null;
  }
}

const catalogue = await loadCatalogue();
const code = catalogue
  ? await main(process.argv.slice(2), catalogue, {
      stdout: process.stdout,
      stdin: process.stdin,
      stderr: process.stderr,
      env: process.env,
    })
  : 1;
process.exitCode = code;
// Services are closed before main returns; a handle leaked by a lab must not leave the terminal hanging.
setTimeout(() => process.exit(code), 1000).unref();
