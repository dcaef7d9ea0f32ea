/**
 * Owner records (owner.ts): which recorded processes count as dead, so that their leftovers may be
 * removed, and which never do (alive, reused pid, another host or container).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deadPid } from './fixtures/processes.ts';
import { ownerOf, ownerState, processInfo, psInfo } from './owner.ts';

describe('owner records', () => {
  const self = ownerOf()!;

  it('names this process by host, pid and start time, and it is alive', () => {
    expect(self.pid).toBe(process.pid);
    expect(self.start).not.toBe('');
    expect(ownerState(self)).toBe('alive');
  });

  it('a pid that exited is dead; the same pid with another start time is dead too (pid reuse)', () => {
    expect(ownerState({ ...self, pid: deadPid() })).toBe('dead');
    expect(ownerState({ ...self, start: `${self.start}1` })).toBe('dead');
  });

  it('another host, container or boot is never judged dead from here, nor is a malformed record', () => {
    expect(ownerState({ ...self, host: `not-${self.host}`, pid: deadPid() })).toBe('elsewhere');
    if (self.boot !== '') {
      expect(ownerState({ ...self, pidns: 'pid:[1]', pid: deadPid() })).toBe('elsewhere');
      expect(ownerState({ ...self, boot: 'an-earlier-boot', pid: deadPid() })).toBe('earlier-boot');
    }
    expect(ownerState({ pid: deadPid() })).toBe('elsewhere');
    expect(ownerState('{"pid": 1}')).toBe('elsewhere');
  });

  it('a zombie (exited, not reaped by its parent) is not running', async () => {
    // The shell starts `sleep 0` and becomes `sleep 60`, which never reaps it: a zombie child.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))),
      );
      const deadline = Date.now() + 5000;
      while (processInfo(pid).running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(processInfo(pid).running).toBe(false);
      expect(psInfo(pid).running).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('the ps fallback (other platforms) sees this process running with a start time, and a dead pid gone', () => {
    const info = psInfo(process.pid);
    expect(info.running).toBe(true);
    expect(info.start).toMatch(/\d{4}$/); // lstart ends with the year
    expect(psInfo(deadPid()).running).toBe(false);
  });
});
