import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { capturedIo } from '../../test/captured-io.js';
import { testServer } from '../../test/test-server.js';
import type { ChatfuzzDatabase, ChatfuzzDatabases } from '../db/leftovers/find-leftover-databases.js';
import { findLeftoverDatabases } from '../db/leftovers/find-leftover-databases.js';
import { dropLeftoversCommand, formatBytes, leftoverWarning } from './leftover-warning.js';
import { runDropLeftovers } from './drop-leftovers.js';

const MB = 1024 * 1024;
const db = (name: string, runId: string | undefined, bytes: number | null = 7.5 * MB): ChatfuzzDatabase => ({
  name,
  runId,
  bytes,
  connections: 0,
});
const none: ChatfuzzDatabases = { dead: [], inUse: [], live: [], unknown: [] };
const A = '20200101_000000_aaaaaaaa';
const B = '20200101_000000_bbbbbbbb';

const server = testServer();
const dead = `20200101_000000_${crypto.randomBytes(4).toString('hex')}`;
const created = [`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`];
afterAll(async () => {
  const c = new pg.Client({ connectionString: server.adminUrl });
  await c.connect();
  for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
  await c.end();
});

it('says nothing when there is nothing to say, live runs included', () => {
  expect(leftoverWarning(none, undefined)).toBeUndefined();
  expect(leftoverWarning({ ...none, live: [db(`chatfuzz_${A}_1`, A)] }, undefined)).toBeUndefined();
});

it("names the dead runs' databases, their count, runs and size, and the command; in at most 3 lines", () => {
  const found: ChatfuzzDatabases = {
    dead: [
      db(`chatfuzz_${A}_1`, A),
      db(`chatfuzz_${A}_t1`, A),
      db(`chatfuzz_${B}_1`, B, null),
      db(`chatfuzz_${B}_2`, B),
      db(`chatfuzz_${B}_t1`, B),
      db(`chatfuzz_${B}_t2`, B),
    ],
    inUse: [db(`chatfuzz_${A.replace('a', 'c')}_1`, A.replace('a', 'c'))],
    live: [],
    unknown: [db('chatfuzz_20200101_000000_abcd_1', undefined, 3 * MB)],
  };
  const text = leftoverWarning(found, 'postgres://ci@db.example:5432/app')!;
  const lines = text.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toBe(
    `chatfuzz: 6 databases (37.5 MB) on this server were left by 2 killed chatfuzz runs (no run holds them, no one is connected): chatfuzz_${A}_1, chatfuzz_${A}_t1, chatfuzz_${B}_1, chatfuzz_${B}_2 and 2 more`,
  );
  expect(lines[1]).toBe("  remove them with: npx chatfuzz drop-leftovers --db 'postgres://ci@db.example:5432/app'");
  expect(lines[2]).toMatch(
    /^chatfuzz: note: 2 other chatfuzz_\* databases \(10\.5 MB\) may be in use or from an older chatfuzz: .*_1, chatfuzz_20200101_000000_abcd_1; drop them yourself/,
  );
});

it('one database reads in the singular; with only unsure ones there is no command', () => {
  expect(leftoverWarning({ ...none, dead: [db(`chatfuzz_${A}_1`, A, 2048)] }, undefined)).toBe(
    `chatfuzz: 1 database (2 kB) on this server was left by 1 killed chatfuzz run (no run holds it, no one is connected): chatfuzz_${A}_1\n  remove it with: npx chatfuzz drop-leftovers`,
  );
  const note = leftoverWarning({ ...none, unknown: [db('chatfuzz_x_1', undefined)] }, 'postgres://u@h/d')!;
  expect(note.split('\n')).toHaveLength(1);
  expect(note).not.toContain('drop-leftovers');
});

it('the command never shows a password, takes --db from DATABASE_URL by leaving it out, and quotes the URL for a shell', () => {
  const withPassword = dropLeftoversCommand('postgres://u:s3cr%27et@h:5432/d?sslmode=require&password=s3cr');
  expect(withPassword).not.toContain('s3cr');
  expect(withPassword).toBe(
    "npx chatfuzz drop-leftovers --db 'postgres://u:***@h:5432/d?sslmode=require&password=***' (your --db URL, its password in place of ***)",
  );
  expect(dropLeftoversCommand(undefined)).toBe('npx chatfuzz drop-leftovers');
  expect(dropLeftoversCommand("postgres://h/it's")).toBe(`npx chatfuzz drop-leftovers --db 'postgres://h/it'\\''s'`);
  expect([formatBytes(0), formatBytes(1536), formatBytes(7.5 * MB), formatBytes(3 * 1024 * MB)]).toEqual([
    '0 kB',
    '2 kB',
    '7.5 MB',
    '3.0 GB',
  ]);
});

it('for a real dead run the printed command (its --db as a shell would pass it) lists exactly those databases to drop', async () => {
  const c = new pg.Client({ connectionString: server.adminUrl });
  await c.connect();
  for (const name of created) await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
  await c.end();
  const found = await findLeftoverDatabases(server, { runIds: [dead] });
  const text = leftoverWarning(found, server.adminUrl)!;
  expect(text).toContain(`left by 1 killed chatfuzz run`);
  const command = /remove them with: npx chatfuzz (drop-leftovers --db '([^']*)')/.exec(text);
  expect(command, text).not.toBeNull();
  // A password shows as ***; the user puts theirs back in (the suite's embedded server has one).
  const url = command![2]!.replace('***', encodeURIComponent(new URL(server.adminUrl).password));
  // Dry run and this run only: other files' runs share the server.
  const out = capturedIo();
  const code = await runDropLeftovers(['--db', url, '--dry-run', dead], out.io);
  expect(code).toBe(0);
  expect(
    out
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('would drop chatfuzz_'))
      .map((l) => l.split(' ')[2]),
  ).toEqual(created);
});
