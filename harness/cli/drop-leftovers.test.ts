import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { capturedIo } from '../../test/captured-io.js';
import { FakeRuns, fakeRunId } from '../../test/fake-runs.js';
import { testServer } from '../../test/test-server.js';
import { runDropLeftovers } from './drop-leftovers.js';

const server = testServer();
const hex = (bytes = 4) => crypto.randomBytes(bytes).toString('hex');
const dead = fakeRunId(0);
const live = fakeRunId(1);
const inUse = fakeRunId(2);
const foreign = fakeRunId(3);
const oldFormat = `chatfuzz_20200101_000000_${hex(2)}_1`;
const unrelated = `leftover_unrelated_${hex()}`;
const created = [
  `chatfuzz_${dead}_1`,
  `chatfuzz_${dead}_t1`,
  `chatfuzz_${live}_1`,
  `chatfuzz_${inUse}_1`,
  `chatfuzz_${foreign}_1`,
  oldFormat,
  unrelated,
];
const role = `leftover_test_${hex()}`;
let roleMade = false;
// A password in the URL (a trust server ignores it) that no output may show.
const password = new URL(server.adminUrl).password || `pw${hex()}`;
const url = (() => {
  const u = new URL(server.adminUrl);
  u.password = password;
  return u.toString();
})();
let runs: FakeRuns;

beforeAll(async () => {
  runs = await FakeRuns.create(server, created);
  await runs.holdLock(live);
  await runs.openSession(`chatfuzz_${inUse}_1`);
});

afterAll(async () => {
  if (roleMade) await runs.admin.query(`DROP ROLE IF EXISTS ${runs.admin.escapeIdentifier(role)}`);
  await runs.drop();
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capturedIo(env);
  const code = await runDropLeftovers(argv, out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

const existing = () => runs.existing();

it('bad usage exits 2 naming the fix; an unreachable server exits 3 without its password; --help exits 0', async () => {
  const none = await cli([]);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/needs the server to clean up: --db postgres:\/\/… or DATABASE_URL/);
  expect((await cli(['--db', 'embedded'])).stderr).toMatch(/embedded server and a container start empty/);
  const oldId = await cli(['--db', url, '20200101_000000_abcd']);
  expect(oldId.code).toBe(2);
  expect(oldId.stderr).toMatch(/not a run id of this chatfuzz/);
  const flag = await cli(['--bogus']);
  expect(flag.code).toBe(2);
  expect(flag.stderr).toMatch(/--bogus.*Valid flags: --db URL, --dry-run, --help/);
  const down = await cli(['--db', 'postgres://postgres:hunter22@127.0.0.1:1/nowhere']);
  expect(down.code).toBe(3);
  expect(down.stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/);
  expect(down.stderr + down.stdout).not.toContain('hunter22');
  const help = await cli(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^usage: chatfuzz drop-leftovers \[--db URL\] \[--dry-run\] \[RUN_ID…\]/);
  // Nothing was touched on the way.
  expect(await existing()).toEqual([...created].sort());
});

it("a dry run over the whole server (DATABASE_URL) lists the dead run's databases to drop and the others as left alone, and drops nothing", async () => {
  const r = await cli(['--dry-run'], { DATABASE_URL: url });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^would drop chatfuzz_${dead}_1 \\(\\d`, 'm'));
  expect(r.stdout).toMatch(new RegExp(`^would drop chatfuzz_${dead}_t1 `, 'm'));
  expect(r.stdout).not.toMatch(new RegExp(`would drop (chatfuzz_${live}|chatfuzz_${inUse}|${oldFormat})`));
  expect(r.stdout).toMatch(new RegExp(`left alone .* holding no lock but with sessions open .*chatfuzz_${inUse}_1`));
  expect(r.stdout).toMatch(new RegExp(`left alone .* live runs?: .*chatfuzz_${live}_1`));
  expect(r.stdout).toMatch(new RegExp(`left alone .* not named by a run id of this chatfuzz .*${oldFormat}`));
  expect(r.stdout).not.toContain(unrelated);
  expect(r.stdout).toMatch(/; run without --dry-run to drop them$/m);
  expect(r.stdout + r.stderr).not.toContain(password);
  expect(await existing()).toEqual([...created].sort());
});

it("drops the named dead run's databases and only those: a live run, a run someone is connected to, an older chatfuzz's and another database stay", async () => {
  const r = await cli(['--db', url, dead, live, inUse]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`dropped chatfuzz_${dead}_1 (`);
  expect(r.stdout).toContain(`dropped chatfuzz_${dead}_t1 (`);
  expect(r.stdout).toMatch(/^dropped 2 databases of 1 killed run \(\d/m);
  expect(r.stdout).not.toContain(oldFormat);
  expect(r.stdout + r.stderr).not.toContain(password);
  expect(await existing()).toEqual(created.filter((n) => !n.startsWith(`chatfuzz_${dead}_`)).sort());
  const again = await cli(['--db', url, dead]);
  expect(again.stdout).toMatch(/nothing to drop among run\(s\)/);
});

it('as a role that may not drop it, a DROP DATABASE fails and the exit code is 1; liveness still reads right without privileges', async (ctx) => {
  const can = (await runs.admin.query<{ ok: boolean }>('SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles WHERE rolname = current_user'))
    .rows[0]!.ok;
  if (!can) return ctx.skip();
  const rolePassword = `pw${hex()}`;
  await runs.admin.query(`CREATE ROLE ${runs.admin.escapeIdentifier(role)} LOGIN PASSWORD '${rolePassword}'`);
  roleMade = true;
  const u = new URL(server.adminUrl);
  u.username = role;
  u.password = rolePassword;
  const r = await cli(['--db', u.toString(), foreign, live, inUse]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^could not drop chatfuzz_${foreign}_1: must be owner`, 'm'));
  expect(r.stdout).toMatch(new RegExp(`live run: chatfuzz_${live}_1`));
  expect(r.stdout).toMatch(new RegExp(`holding no lock but with sessions open .*chatfuzz_${inUse}_1`));
  expect(r.stdout + r.stderr).not.toContain(rolePassword);
  expect(await existing()).toContain(`chatfuzz_${foreign}_1`);
});
