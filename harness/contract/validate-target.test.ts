import { describe, expect, it } from 'vitest';
import { validateStore, validateTarget } from './validate-target.js';

const SCENARIOS = ['concurrent-duplicates', 'mixed'];
const problems = (expect_: unknown) => validateTarget({ name: 't', create() {}, expect: expect_ }, SCENARIOS);

describe('validateTarget: expect', () => {
  it("accepts 'pass', 'fail' and { mute: [...] } entries", () => {
    expect(problems({ '*': 'pass', mixed: 'fail' })).toEqual([]);
    expect(
      problems({
        '*': { mute: [{ invariant: 'acked-durable' }] },
        'concurrent-duplicates': {
          mute: [{ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey', note: 'known, see #123' }],
        },
      }),
    ).toEqual([]);
    expect(problems({ mixed: { mute: [] } })).toEqual([]);
  });

  it('names unknown scenarios and outcomes that are neither pass, fail nor a mute object', () => {
    expect(problems({ nope: 'pass' })).toEqual([expect.stringMatching(/unknown scenario "nope"/)]);
    expect(problems({ '*': 'maybe' })).toEqual([
      expect.stringMatching(/^`expect\["\*"\]` must be "pass", "fail" or \{ mute: .*not "maybe"$/),
    ]);
    expect(problems({ '*': ['pass'] })).toHaveLength(1);
  });

  it('an object entry needs a mute array and nothing else', () => {
    expect(problems({ mixed: {} })).toEqual([expect.stringMatching(/^`expect\["mixed"\]`\.mute must be an array/)]);
    expect(problems({ mixed: { mute: { invariant: 'no-db-error' } } })).toHaveLength(1);
    expect(problems({ mixed: { mute: [], expected: 'pass' } })).toEqual([expect.stringMatching(/unknown key "expected"/)]);
  });

  it('says what is wrong with each known finding, one sentence each', () => {
    const p = problems({
      mixed: {
        mute: [
          { invariant: 'no-such-invariant' },
          { invariant: 'no-db-error', sqlstate: 23505 },
          { invariant: 'no-db-error', sqlstate: '235' },
          { invariant: 'no-db-error', constraint: '' },
          { invariant: 'no-db-error', note: 123 },
          { invariant: 'no-db-error', sqlState: '23505' },
          'no-db-error',
        ],
      },
    });
    expect(p).toEqual([
      expect.stringMatching(
        /^`expect\["mixed"\]`\.mute\[0\]\.invariant must name an invariant \(no-fk-error, .*\), not "no-such-invariant"$/,
      ),
      expect.stringMatching(/^`expect\["mixed"\]`\.mute\[1\]\.sqlstate must be a five-character SQLSTATE string .*not 23505$/),
      expect.stringMatching(/mute\[2\]\.sqlstate .*not "235"$/),
      expect.stringMatching(/mute\[3\]\.constraint must be a constraint name/),
      expect.stringMatching(/mute\[4\]\.note must be a string/),
      expect.stringMatching(/mute\[5\] has an unknown key "sqlState" \(valid: invariant, sqlstate, constraint, note\)/),
      expect.stringMatching(/mute\[6\] must be an object/),
    ]);
  });
});

describe('validateTarget: api', () => {
  const api = (a: unknown) => validateTarget({ name: 't', create() {}, api: a }, SCENARIOS);

  it('accepts the declared API shapes and input rules', () => {
    expect(
      api({ reply: 'in-request', history: 'full', input: { emptyContent: 'refuse', maxContentLength: 4000, idPattern: /^[\w-]+$/ } }),
    ).toEqual([]);
    expect(api({ reply: 'separate', history: 'new', input: { idPattern: '^[0-9a-f-]{36}$' } })).toEqual([]);
    expect(api({})).toEqual([]);
  });

  it('names each wrong value and unknown key, with the valid choices', () => {
    expect(api({ reply: 'stream', history: 'all', extra: 1 })).toEqual([
      '`api` has an unknown key "extra" (valid: reply, history, input, sessions, messageIds)',
      "`api.reply` must be 'in-request' or 'separate', not \"stream\"",
      "`api.history` must be 'full', 'new' or 'any', not \"all\"",
    ]);
    expect(api({ input: { maxContentLength: -1, emptyContent: true, idPattern: '(' } })).toEqual([
      "`api.input.emptyContent` can only be 'refuse', not true",
      '`api.input.maxContentLength` must be a whole number of characters, not -1',
      expect.stringMatching(/^`api.input.idPattern` is not a valid regular expression/),
    ]);
    expect(api('yes')).toHaveLength(1);
  });
});

describe('validateStore', () => {
  it('needs logMessage only: createSession, handleChat and the rest are optional methods', () => {
    expect(validateStore({ logMessage() {} }, { schema: 'canonical' })).toEqual([]);
    expect(validateStore({ createSession() {} }, { schema: 'canonical' })).toEqual(['the ChatStore has no logMessage() method']);
    expect(validateStore({ logMessage() {}, createSession: 'no' }, { schema: 'canonical' })).toEqual([
      "the ChatStore's createSession must be a method when present",
    ]);
  });
});

describe('validateTarget: declared app semantics (issue 24)', () => {
  const problems = (api: unknown) => validateTarget({ name: 't', create: () => ({}), api }, []);
  it('accepts every documented value', () => {
    expect(
      problems({
        sessions: { create: 'explicit', delete: { missing: 'refuse', afterDelete: 'refuse', soft: true } },
        input: { normalize: 'strip-nul' },
        messageIds: 'server',
      }),
    ).toEqual([]);
    expect(
      problems({
        sessions: { create: 'implicit', delete: { missing: 'ok', afterDelete: 'recreate', soft: false } },
        input: { normalize: (s: string) => s.trim() },
        messageIds: 'client',
      }),
    ).toEqual([]);
  });
  it('names each wrong value and unknown key', () => {
    expect(
      problems({
        sessions: { create: 'lazy', delete: { missing: 404, afterDelete: 'gone', soft: 'yes', hard: true }, rename: 1 },
        input: { normalize: 'lower' },
        messageIds: 'uuid',
      }),
    ).toEqual([
      "`api.input.normalize` must be 'strip-nul', 'trim' or a function (content) => stored content, not \"lower\"",
      "`api.messageIds` must be 'client' or 'server', not \"uuid\"",
      '`api.sessions` has an unknown key "rename" (valid: create, delete)',
      "`api.sessions.create` must be 'implicit' or 'explicit', not \"lazy\"",
      '`api.sessions.delete` has an unknown key "hard" (valid: missing, afterDelete, soft)',
      "`api.sessions.delete.missing` must be 'ok' or 'refuse', not 404",
      "`api.sessions.delete.afterDelete` must be 'recreate' or 'refuse', not \"gone\"",
      '`api.sessions.delete.soft` must be true or false, not "yes"',
    ]);
  });
  it('refuses an explicit create without createSession()', () => {
    expect(validateStore({ logMessage: async () => {} }, { api: { sessions: { create: 'explicit' } } })).toEqual([
      "`api.sessions.create: 'explicit'` needs a createSession() method (or declare 'implicit')",
    ]);
  });
});

// Issue 25: operations and their model.
describe('validateTarget and validateStore: operations', () => {
  const model = { initial: () => ({}), observe: async () => ({}) };
  const op = { args: () => null, apply: () => ({ refuse: true }) };
  const t = (extra: object) => validateTarget({ name: 't', create() {}, ...extra }, SCENARIOS);

  it('accepts a model with operations, and a model alone', () => {
    expect(t({ model, operations: { spend: op } })).toEqual([]);
    expect(t({ model: { ...model, seed: async () => {} } })).toEqual([]);
  });

  it('names what is missing, one sentence each', () => {
    expect(t({ operations: { spend: op } })).toEqual([
      '`operations` need a `model: { initial, observe }` to be judged against (the serializable invariant)',
    ]);
    expect(t({ model: { initial: () => ({}) }, operations: {} })).toEqual(['`model.observe` must be a function (see docs/operations.md)']);
    expect(t({ model, operations: { spend: { apply: op.apply } } })).toEqual([
      expect.stringMatching(/^`operations\.spend\.args` must be a function/),
    ]);
    expect(t({ model, operations: { 'my-op': op, logMessage: op } })).toEqual([
      expect.stringMatching(/^operation name "my-op" must be a JavaScript identifier/),
      expect.stringMatching(/^operation name "logMessage" is a ChatStore method/),
    ]);
    expect(t({ model, operations: [op] })).toEqual(['`operations` must map operation names to defineOperation({ args, apply })']);
  });

  it('a store of operations only needs no logMessage nor snapshot, but a method per operation', () => {
    const def = { schema: { sql: 'create table x ()' }, operations: { spend: op, refund: op } } as never;
    expect(validateStore({ spend: async () => {}, refund: async () => {} }, def)).toEqual([]);
    expect(validateStore({ spend: async () => {} }, def)).toEqual([
      'the object create() returned has no refund() method for operation "refund"',
    ]);
    expect(validateStore({ spend: async () => {} }, { schema: 'canonical' })).toEqual(['the ChatStore has no logMessage() method']);
  });
});
