import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeRuns, fakeRunId } from '../../../test/fake-runs.js';
import { testServer } from '../../../test/test-server.js';
import { findLeftoverDatabases } from './find-leftover-databases.js';
import { dropLeftoverDatabases } from './drop-leftover-databases.js';

const server = testServer();
const hex = (bytes = 4) => crypto.randomBytes(bytes).toString('hex');
const dead = fakeRunId(0);
const revived = fakeRunId(1);
const joined = fakeRunId(2);
const live = fakeRunId(3);
const oldFormat = `chatfuzz_20200101_000000_${hex(2)}_1`;
const unrelated = `leftover_unrelated_${hex()}`;
const runIds = [dead, revived, joined, live];
const created = [
  `chatfuzz_${dead}_1`,
  `chatfuzz_${dead}_t1`,
  `chatfuzz_${revived}_1`,
  `chatfuzz_${joined}_1`,
  `chatfuzz_${joined}_t1`,
  `chatfuzz_${live}_1`,
  oldFormat,
  unrelated,
];
let runs: FakeRuns;

beforeAll(async () => {
  runs = await FakeRuns.create(server, created);
  await runs.holdLock(live);
});

afterAll(() => runs.drop());

const existing = () => runs.existing();

it("a dry run drops nothing; a drop removes the dead run's databases and, checking again, none of a run that came alive or got a session since the listing", async () => {
  const found = await findLeftoverDatabases(server, { runIds });
  expect(found.dead.map((d) => d.name).sort()).toEqual(
    [`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`, `chatfuzz_${joined}_1`, `chatfuzz_${joined}_t1`, `chatfuzz_${revived}_1`].sort(),
  );

  const dry = await dropLeftoverDatabases(server, found.dead, { dryRun: true });
  expect(dry.dropped.map((d) => d.name).sort()).toEqual(found.dead.map((d) => d.name).sort());
  expect(await existing()).toEqual([...created].sort());

  // After the listing: one run takes its lock, a session opens on one database of another.
  await runs.holdLock(revived);
  await runs.openSession(`chatfuzz_${joined}_t1`);
  // A caller's list cannot smuggle in other names: the name decides, not the runId it claims.
  const forged = [
    { name: oldFormat, runId: dead, bytes: null, connections: 0 },
    { name: unrelated, runId: dead, bytes: null, connections: 0 },
  ];
  const result = await dropLeftoverDatabases(server, [...found.dead, ...forged]);

  expect(result.dropped.map((d) => d.name).sort()).toEqual([`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`]);
  expect(result.failed).toEqual([]);
  const reasons = Object.fromEntries(result.skipped.map((x) => [x.database.name, x.reason]));
  expect(reasons[`chatfuzz_${revived}_1`]).toMatch(/alive/);
  expect(reasons[`chatfuzz_${joined}_1`]).toMatch(/connected/);
  expect(reasons[`chatfuzz_${joined}_t1`]).toMatch(/connected/);
  expect(reasons[oldFormat]).toMatch(/not named by a run id/);
  expect(reasons[unrelated]).toMatch(/not named by a run id/);
  expect(await existing()).toEqual(created.filter((n) => !n.startsWith(`chatfuzz_${dead}_`)).sort());
});
