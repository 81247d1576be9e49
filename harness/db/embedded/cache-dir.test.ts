import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir } from './cache-dir.js';

describe('cacheDir', () => {
  it('is $CHATFUZZ_CACHE_DIR, else $XDG_CACHE_HOME/chatfuzz, else ~/.cache/chatfuzz', () => {
    expect(cacheDir({ CHATFUZZ_CACHE_DIR: '/x/cf', XDG_CACHE_HOME: '/xdg' })).toBe('/x/cf');
    expect(cacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/chatfuzz');
    expect(cacheDir({})).toBe(path.join(os.homedir(), '.cache', 'chatfuzz'));
  });

  it('ignores a relative XDG_CACHE_HOME (the XDG spec calls it invalid) and resolves a relative CHATFUZZ_CACHE_DIR', () => {
    expect(cacheDir({ XDG_CACHE_HOME: 'rel' })).toBe(path.join(os.homedir(), '.cache', 'chatfuzz'));
    expect(cacheDir({ CHATFUZZ_CACHE_DIR: 'rel' })).toBe(path.resolve('rel'));
    expect(cacheDir({ CHATFUZZ_CACHE_DIR: '', XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/chatfuzz');
  });
});
