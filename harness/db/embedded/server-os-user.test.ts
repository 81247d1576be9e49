import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serverOsUser } from './server-os-user.js';

describe('serverOsUser', () => {
  it("is the postgres user's uid and gid as root, and nobody else's (undefined) otherwise", async () => {
    if (process.getuid!() === 0) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
      expect(await serverOsUser()).toEqual({ uid: id('-u'), gid: id('-g') });
    } else {
      expect(await serverOsUser()).toBeUndefined();
    }
  });
});
