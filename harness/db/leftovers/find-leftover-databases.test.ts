import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeRuns, fakeRunId } from '../../../test/fake-runs.js';
import { testServer } from '../../../test/test-server.js';
import { findLeftoverDatabases, runIdOfDatabase, type ChatfuzzDatabases } from './find-leftover-databases.js';

const server = testServer();
const hex = (bytes = 4) => crypto.randomBytes(bytes).toString('hex');
const dead = fakeRunId(0);
const live = fakeRunId(1);
const inUse = fakeRunId(2);
const own = fakeRunId(3);
// An older chatfuzz's run id (four hex digits): its run cannot be proven dead.
const oldFormat = `chatfuzz_20200101_000000_${hex(2)}_1`;
const unrelated = `leftover_unrelated_${hex()}`;
const created = [
  `chatfuzz_${dead}_1`,
  `chatfuzz_${dead}_t1`,
  `chatfuzz_${live}_1`,
  `chatfuzz_${inUse}_1`,
  `chatfuzz_${inUse}_t1`,
  `chatfuzz_${own}_1`,
  oldFormat,
  unrelated,
];
let runs: FakeRuns;

beforeAll(async () => {
  runs = await FakeRuns.create(server, created);
  await runs.holdLock(live);
  // One session on one database of the run keeps the whole run.
  await runs.openSession(`chatfuzz_${inUse}_1`);
});

afterAll(() => runs.drop());

/** The part of a listing this file made (other files' databases share the server). */
function mine(found: ChatfuzzDatabases): Record<keyof ChatfuzzDatabases, string[]> {
  const pick = (k: keyof ChatfuzzDatabases) =>
    found[k]
      .map((d) => d.name)
      .filter((n) => created.includes(n))
      .sort();
  return { dead: pick('dead'), inUse: pick('inUse'), live: pick('live'), unknown: pick('unknown') };
}

it('runIdOfDatabase reads run ids of this chatfuzz only, from cell and template names only', () => {
  expect(runIdOfDatabase('chatfuzz_20261124_161514_75a2b78a_12')).toBe('20261124_161514_75a2b78a');
  expect(runIdOfDatabase('chatfuzz_20261124_161514_75a2b78a_t3')).toBe('20261124_161514_75a2b78a');
  expect(runIdOfDatabase('chatfuzz_20261124_161514_75a2_1')).toBeUndefined();
  expect(runIdOfDatabase('chatfuzz_20261124_161514_75a2b78a_mine')).toBeUndefined();
  expect(runIdOfDatabase('chatfuzz_20261124_161514_75A2B78A_1')).toBeUndefined();
  expect(runIdOfDatabase('xchatfuzz_20261124_161514_75a2b78a_1')).toBeUndefined();
});

it('sorts the chatfuzz_* databases into dead, in use, live and unknown, leaving out the own run and every other name', async () => {
  const found = await findLeftoverDatabases(server, { ownRunId: own });
  expect(mine(found)).toEqual({
    dead: [`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`],
    inUse: [`chatfuzz_${inUse}_1`, `chatfuzz_${inUse}_t1`],
    live: [`chatfuzz_${live}_1`],
    unknown: [oldFormat],
  });
  const all = Object.values(found).flat();
  expect(all.map((d) => d.name)).not.toContain(unrelated);
  expect(all.map((d) => d.name)).not.toContain(`chatfuzz_${own}_1`);
  const d1 = found.dead.find((d) => d.name === `chatfuzz_${dead}_1`)!;
  expect(d1).toMatchObject({ runId: dead, connections: 0 });
  expect(d1.bytes).toBeGreaterThan(0);
  expect(found.inUse.find((d) => d.name === `chatfuzz_${inUse}_1`)!.connections).toBe(1);
  expect(found.unknown.find((d) => d.name === oldFormat)!.runId).toBeUndefined();
});

it('without an own run id the run is listed like any other; with runIds only those runs are', async () => {
  expect(mine(await findLeftoverDatabases(server)).dead).toEqual([`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`, `chatfuzz_${own}_1`]);
  const only = await findLeftoverDatabases(server, { runIds: [dead, live] });
  expect(
    Object.values(only)
      .flat()
      .map((d) => d.name)
      .sort(),
  ).toEqual([`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`, `chatfuzz_${live}_1`]);
  expect(only.live.map((d) => d.name)).toEqual([`chatfuzz_${live}_1`]);
});
