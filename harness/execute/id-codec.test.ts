import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { decodeSnapshot, idCodec } from './id-codec.js';

const TARGET = './test/fixtures/uuid-ids-target.ts';

describe('ids: uuid', () => {
  it('hands the target UUIDs and turns every one it handed out back, in ids and in texts', () => {
    const ids = idCodec('uuid');
    const s1 = ids.encode('t1_s1');
    expect(s1).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids.encode('t1_s1')).toBe(s1);
    expect(ids.decode(`Key (id)=(${s1.toUpperCase()}) already exists; 00000000-0000-0000-0000-000000000000 is not ours`)).toBe(
      'Key (id)=(t1_s1) already exists; 00000000-0000-0000-0000-000000000000 is not ours',
    );
    expect(
      decodeSnapshot(
        {
          users: [{ id: ids.encode('t1_u1') }],
          sessions: [{ id: s1, userId: ids.encode('t1_u1') }],
          messages: [{ id: ids.encode('t1_m1'), sessionId: s1, role: 'user', content: 'hi' }],
        },
        ids,
      ),
    ).toEqual({
      users: [{ id: 't1_u1' }],
      sessions: [{ id: 't1_s1', userId: 't1_u1' }],
      messages: [{ id: 't1_m1', sessionId: 't1_s1', role: 'user', content: 'hi' }],
    });
    expect(idCodec('text').encode('t1_s1')).toBe('t1_s1');
  });

  it('a target on UUID columns with no id mapping and no snapshot() of its own (ids: uuid, tables) passes what it gets right…', async () => {
    const cell = await runTestCell(TARGET, 'multi-message-first-request', { runs: 30, mode: 'scheduled' });
    expect(cell, cell.failure?.message ?? cell.error).toMatchObject({ outcome: 'pass' });
  });

  it('…and its race reads in harness ids: the 23505 detail names the logical session (s1, s2…), not a UUID', async () => {
    const cell = await runTestCell(TARGET, 'concurrent-duplicates', { mode: 'scheduled' });
    const race = cell.failures!.find((f) => f.constraint === 'chat_sessions_pkey');
    expect(race).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    const failed = race!.statements.find((s) => s.error?.sqlstate === '23505')!;
    // Which session the shrunk race keeps is the scheduler's choice; its id is the harness's either way.
    const session = /^Key \(id\)=\((s\d+)\) already exists\.$/.exec(failed.error!.detail ?? '')?.[1];
    expect(session, failed.error!.detail).toBeDefined();
    expect(JSON.stringify(cell.failures)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}/);
    expect(race!.snapshot!.sessions.map((s) => s.id)).toEqual([session]);
  });
});

describe('tables', () => {
  it('a described schema needs the columns the snapshot reads, named', async () => {
    const { validateTarget } = await import('../contract/validate-target.js');
    const problems = validateTarget(
      { name: 'x', create() {}, tables: { sessions: { table: 's', id: 'id' }, messages: { table: 'm' } } },
      [],
    );
    expect(problems).toEqual([
      '`tables.sessions` needs `table`, `id` and `owner` column names',
      '`tables.messages` needs `table`, `session`, `role`, `content` and `order` column names (and `id` if messages have one)',
    ]);
  });
});
