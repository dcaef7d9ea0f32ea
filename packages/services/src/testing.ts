/**
 * @mlops-lab/services/testing: what tests use to prove the CLIs and the fault paths (ARCHITECTURE.md
 * "Conventions": reliability is tested by killing the dependency): a CLI run as a user runs it, in a
 * sandbox of its own (commandUnderTest, which registers the file's afterAll; runScript, spawnScript,
 * scriptSandbox), and a real redis-server the test can kill and restart (startKillableRedis). The
 * vitest fixture that acquires services is `./vitest`.
 */
export {
  commandUnderTest,
  runScript,
  type ScriptResult,
  scriptSandbox,
  spawnScript,
} from './command-testing.ts';
export { type KillableRedis, startKillableRedis } from './killable-redis.ts';
