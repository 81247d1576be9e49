import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { classifyError, isForeignKeyError, type ErrorInfo } from './classify-error.js';

/** A DatabaseError as pg's protocol parser builds it from an ErrorResponse. */
function pgError(message: string, fields: Partial<pg.DatabaseError>): pg.DatabaseError {
  const e = new pg.DatabaseError(message, message.length + 64, 'error');
  return Object.assign(e, { severity: 'ERROR', file: 'ri_triggers.c', routine: 'ri_ReportViolation' }, fields);
}

const sessionFk = () =>
  pgError('insert or update on table "chat_messages" violates foreign key constraint "chat_messages_session_id_fkey"', {
    code: '23503',
    constraint: 'chat_messages_session_id_fkey',
    table: 'chat_messages',
    schema: 'public',
    detail: 'Key (session_id)=(t1_s1) is not present in table "chat_sessions".',
  });

const sessionPkey = () =>
  pgError('duplicate key value violates unique constraint "chat_sessions_pkey"', {
    code: '23505',
    constraint: 'chat_sessions_pkey',
    table: 'chat_sessions',
    schema: 'public',
    detail: 'Key (id)=(t1_s1) already exists.',
  });

/** What @prisma/client throws: a PrismaClientKnownRequestError-like error (not built here: needs a generated client). */
function prismaError(code: string, message: string, meta: Record<string, unknown>): Error {
  const e = Object.assign(new Error(message), { code, meta, clientVersion: '7.10.0' });
  e.name = 'PrismaClientKnownRequestError';
  return e;
}

/** Prisma 7 with @prisma/adapter-pg: the driver error travels in meta.driverAdapterError.cause. */
function driverAdapterError(cause: Record<string, unknown>) {
  const e = Object.assign(new Error(String(cause.kind)), { cause });
  e.name = 'DriverAdapterError';
  return e;
}

class Refusal extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Refusal';
  }
}

describe('classifyError: raw pg errors', () => {
  it('a pg DatabaseError 23503 on chat_messages_session_id_fkey is a db error with its constraint, table and detail', () => {
    const info = classifyError(sessionFk());
    expect(info).toEqual({
      kind: 'db',
      sqlstate: '23503',
      constraint: 'chat_messages_session_id_fkey',
      table: 'chat_messages',
      detail: 'Key (session_id)=(t1_s1) is not present in table "chat_sessions".',
      message: 'insert or update on table "chat_messages" violates foreign key constraint "chat_messages_session_id_fkey"',
    });
    expect(info).not.toHaveProperty('prismaCode');
    expect(isForeignKeyError(info)).toBe(true);
  });

  it('a plain Error carrying the fields pg sets is classified the same way', () => {
    const e = Object.assign(
      new Error('insert or update on table "chat_sessions" violates foreign key constraint "chat_sessions_user_id_fkey"'),
      {
        code: '23503',
        severity: 'ERROR',
        constraint: 'chat_sessions_user_id_fkey',
        table: 'chat_sessions',
        detail: 'Key (user_id)=(t1_u9) is not present in table "users".',
      },
    );
    const info = classifyError(e);
    expect(info).toMatchObject({ kind: 'db', sqlstate: '23503', constraint: 'chat_sessions_user_id_fkey', table: 'chat_sessions' });
    expect(isForeignKeyError(info)).toBe(true);
  });

  it('a 23505 on chat_sessions_pkey (the loser of a concurrent first request) is a db error, not a foreign-key error', () => {
    const info = classifyError(sessionPkey());
    expect(info).toMatchObject({ kind: 'db', sqlstate: '23505', constraint: 'chat_sessions_pkey', table: 'chat_sessions' });
    expect(isForeignKeyError(info)).toBe(false);
  });

  it('25P02 (a poisoned transaction) and 22021 (a NUL byte) are db errors without a constraint', () => {
    const aborted = classifyError(
      pgError('current transaction is aborted, commands ignored until end of transaction block', { code: '25P02' }),
    );
    expect(aborted).toEqual({
      kind: 'db',
      sqlstate: '25P02',
      message: 'current transaction is aborted, commands ignored until end of transaction block',
    });
    const nul = classifyError(pgError('invalid byte sequence for encoding "UTF8": 0x00', { code: '22021' }));
    expect(nul).toMatchObject({ kind: 'db', sqlstate: '22021' });
    expect(nul).not.toHaveProperty('constraint');
  });

  it('a PL/pgSQL RAISE EXCEPTION (SQLSTATE P0001, e.g. from a trigger) is a db error reported by its SQLSTATE, not as a Prisma code', () => {
    // P0001..P0004 are PostgreSQL SQLSTATEs (class P0, plpgsql_error); Prisma codes are P1xxx-P6xxx.
    const info = classifyError(pgError('chat session is archived', { code: 'P0001', routine: 'exec_stmt_raise' }));
    expect(info.kind).toBe('db');
    expect(info.sqlstate).toBe('P0001');
    expect(info.prismaCode).toBeUndefined();
  });
});

describe('classifyError: Prisma errors', () => {
  it('P2003 with meta.constraint (Prisma 6 style) is a foreign-key db error', () => {
    const info = classifyError(
      prismaError('P2003', 'Foreign key constraint violated on the constraint: `chat_messages_session_id_fkey`', {
        modelName: 'ChatMessage',
        constraint: 'chat_messages_session_id_fkey',
      }),
    );
    expect(info).toMatchObject({ kind: 'db', prismaCode: 'P2003', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(isForeignKeyError(info)).toBe(true);
  });

  it('P2003 from the pg driver adapter takes its SQLSTATE from driverAdapterError.cause.originalCode and the constraint from its index', () => {
    const info = classifyError(
      prismaError('P2003', 'Foreign key constraint violated on the constraint: `chat_messages_session_id_fkey`', {
        modelName: 'ChatMessage',
        driverAdapterError: driverAdapterError({
          kind: 'ForeignKeyConstraintViolation',
          originalCode: '23503',
          originalMessage: 'insert or update on table "chat_messages" violates foreign key constraint "chat_messages_session_id_fkey"',
          constraint: { index: 'chat_messages_session_id_fkey' },
        }),
      }),
    );
    expect(info).toMatchObject({ kind: 'db', prismaCode: 'P2003', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(isForeignKeyError(info)).toBe(true);
  });

  it('a bare P2003 without meta is still a foreign-key error (mapped to 23503)', () => {
    const info = classifyError(prismaError('P2003', 'Foreign key constraint failed on the field: `sessionId`', {}));
    expect(info).toMatchObject({ kind: 'db', prismaCode: 'P2003', sqlstate: '23503' });
    expect(isForeignKeyError(info)).toBe(true);
  });

  it('P2002 is a unique violation (23505), not a foreign-key error', () => {
    const bare = classifyError(
      prismaError('P2002', 'Unique constraint failed on the fields: (`id`)', { modelName: 'ChatSession', target: ['id'] }),
    );
    expect(bare).toMatchObject({ kind: 'db', prismaCode: 'P2002', sqlstate: '23505' });
    expect(isForeignKeyError(bare)).toBe(false);

    const viaAdapter = classifyError(
      prismaError('P2002', 'Unique constraint failed on the constraint: `chat_sessions_pkey`', {
        modelName: 'ChatSession',
        driverAdapterError: driverAdapterError({
          kind: 'UniqueConstraintViolation',
          originalCode: '23505',
          constraint: { index: 'chat_sessions_pkey' },
          table: 'chat_sessions',
        }),
      }),
    );
    expect(viaAdapter).toMatchObject({ kind: 'db', prismaCode: 'P2002', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
  });

  it('a raw DriverAdapterError escaping (no Prisma code) is a db error with the SQLSTATE of its cause', () => {
    const info = classifyError(
      driverAdapterError({
        kind: 'ForeignKeyConstraintViolation',
        originalCode: '23503',
        constraint: { index: 'chat_messages_session_id_fkey' },
      }),
    );
    expect(info).toMatchObject({ kind: 'db', sqlstate: '23503' });
    expect(isForeignKeyError(info)).toBe(true);
  });

  it('an error that is not instanceof Error but carries a Prisma code (another realm, a bundled client) is a db error', () => {
    const info = classifyError({
      code: 'P2003',
      message: 'Foreign key constraint violated',
      meta: { constraint: 'chat_messages_session_id_fkey' },
    });
    expect(info).toMatchObject({ kind: 'db', prismaCode: 'P2003', constraint: 'chat_messages_session_id_fkey' });
  });
});

describe('classifyError: connection loss (outcome unknown)', () => {
  it('57014 (statement timeout or cancel) is a timeout: the caller cannot know whether the write landed', () => {
    const info = classifyError(pgError('canceling statement due to statement timeout', { code: '57014' }));
    expect(info).toEqual({ kind: 'timeout', sqlstate: '57014', message: 'canceling statement due to statement timeout' });
  });

  it('57P01 (pg_terminate_backend) is a connection error that keeps its SQLSTATE', () => {
    const info = classifyError(pgError('terminating connection due to administrator command', { code: '57P01', severity: 'FATAL' }));
    expect(info).toEqual({ kind: 'connection', sqlstate: '57P01', message: 'terminating connection due to administrator command' });
    expect(isForeignKeyError(info)).toBe(false);
  });

  it('a Prisma error wrapping 57P01 through the driver adapter (P2039) is a connection error', () => {
    const info = classifyError(
      prismaError('P2039', 'Database error. Code: `57P01`. Message: `terminating connection due to administrator command`', {
        driverAdapterError: driverAdapterError({ kind: 'postgres', originalCode: '57P01', code: '57P01', severity: 'FATAL' }),
      }),
    );
    expect(info.kind).toBe('connection');
    expect(info.sqlstate).toBe('57P01');
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated',
    'Client has encountered a connection error and is not queryable',
    'read ECONNRESET',
  ])('an error without a code saying %j is a connection error', (message) => {
    expect(classifyError(new Error(message))).toEqual({ kind: 'connection', message });
  });

  it('a Node socket error with code EPIPE (writing to a connection the server closed) is a connection error, not a SQLSTATE', () => {
    // 'EPIPE' is five uppercase letters and so passes the SQLSTATE pattern /^[0-9A-Z]{5}$/.
    const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' });
    const info = classifyError(e);
    expect(info.kind).toBe('connection');
    expect(info.sqlstate).toBeUndefined();
  });

  it('a Node socket error with code ECONNRESET is a connection error', () => {
    const e = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
    expect(classifyError(e)).toMatchObject({ kind: 'connection' });
  });

  it('Prisma P1017 (the driver adapter maps ECONNRESET to ConnectionClosed) is a connection error, not a raw database error', () => {
    const info = classifyError(
      prismaError('P1017', 'Server has closed the connection.', {
        modelName: 'ChatMessage',
        driverAdapterError: driverAdapterError({ kind: 'ConnectionClosed' }),
      }),
    );
    expect(info.kind).toBe('connection');
    expect(isForeignKeyError(info)).toBe(false);
  });
});

describe('classifyError: Prisma P2028', () => {
  it('P2028 "Transaction already closed" after a killed connection is a lost connection (info), not a raw database error', () => {
    const info = classifyError(
      prismaError(
        'P2028',
        'Transaction API error: Transaction already closed: A commit cannot be executed on an expired transaction. The timeout for this transaction was 5000 ms, however 5019 ms passed since the start of the transaction.',
        {},
      ),
    );
    expect(info).toMatchObject({ kind: 'connection', prismaCode: 'P2028' });
    expect(info.sqlstate).toBeUndefined();
  });

  it('P2028 "Unable to start a transaction in the given time" is a timeout', () => {
    expect(
      classifyError(prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.', {})),
    ).toMatchObject({ kind: 'timeout', prismaCode: 'P2028' });
  });
});

describe('classifyError: domain errors', () => {
  it('a refusal without a code is a domain error with its message and nothing else', () => {
    expect(classifyError(new Error('session t1_s1 belongs to another user'))).toEqual({
      kind: 'domain',
      message: 'session t1_s1 belongs to another user',
    });
  });

  it('a refusal of its own class keeps the class name, from name or from the constructor', () => {
    expect(classifyError(new Refusal('rate limited'))).toEqual({ kind: 'domain', errorClass: 'Refusal', message: 'rate limited' });
    class AppError extends Error {}
    expect(classifyError(new AppError('could not save'))).toEqual({ kind: 'domain', errorClass: 'AppError', message: 'could not save' });
    expect(classifyError(new TypeError('x is undefined')).errorClass).toBe('TypeError');
    expect(classifyError({ message: 'quota exceeded' })).not.toHaveProperty('errorClass');
  });

  it('an Error with an empty message is described by inspecting it', () => {
    const info = classifyError(new Refusal(''));
    expect(info.kind).toBe('domain');
    expect(info.message).toContain('Refusal');
  });

  it("a domain Error whose cause is a pg error stays a domain error and keeps the cause's SQLSTATE and constraint", () => {
    const info = classifyError(new Refusal('could not start the chat', { cause: sessionPkey() }));
    expect(info.kind).toBe('domain');
    expect(info.message).toBe('could not start the chat');
    expect(info).toMatchObject({ errorClass: 'Refusal', causeSqlstate: '23505', causeConstraint: 'chat_sessions_pkey' });
    expect(info.sqlstate).toBeUndefined();
    expect(isForeignKeyError(info)).toBe(false);
  });

  it('a domain Error wrapping a pg foreign-key error is not a foreign-key error (valid-calls-succeed judges it)', () => {
    const info = classifyError(new Error('failed to log message', { cause: sessionFk() }));
    expect(info).toMatchObject({ kind: 'domain', causeSqlstate: '23503' });
    expect(isForeignKeyError(info)).toBe(false);
  });

  it('a domain Error wrapping a Prisma P2002 error keeps 23505 as causeSqlstate (not the Prisma code)', () => {
    const prisma = prismaError('P2002', 'Unique constraint failed on the fields: (`id`)', { modelName: 'ChatSession', target: ['id'] });
    const info = classifyError(new Refusal('could not create the session', { cause: prisma }));
    expect(info).toMatchObject({ kind: 'domain', causeSqlstate: '23505' });
    expect(info.sqlstate).toBeUndefined();
    expect(info.prismaCode).toBeUndefined();
  });

  it('a cause two levels down is found', () => {
    const info = classifyError(new Refusal('request failed', { cause: new Error('save failed', { cause: sessionFk() }) }));
    expect(info).toEqual({
      kind: 'domain',
      errorClass: 'Refusal',
      message: 'request failed',
      causeSqlstate: '23503',
      causeConstraint: 'chat_messages_session_id_fkey',
    });
  });

  it('a cause chain that loops ends', () => {
    const e: Error & { cause?: unknown } = new Refusal('loops');
    e.cause = e;
    expect(classifyError(e)).toEqual({ kind: 'domain', errorClass: 'Refusal', message: 'loops' });
  });

  it('a plain object with a message but no code is a domain error that shows that message', () => {
    const info = classifyError({ message: 'quota exceeded' });
    expect(info.kind).toBe('domain');
    expect(info.message).toContain('quota exceeded');
  });
});

/** drizzle-orm's DrizzleQueryError as it ships: `new DrizzleQueryError(query, params, cause)`, message the SQL and its parameters. */
class DrizzleQueryError extends Error {
  constructor(
    public query: string,
    public params: unknown[],
    cause?: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`);
    this.name = 'DrizzleQueryError';
    if (cause) (this as any).cause = cause;
  }
}

describe('classifyError: errors an ORM passes through', () => {
  it('a DrizzleQueryError around a pg 23505 is that raw db error, with its SQLSTATE, constraint, table and detail', () => {
    const info = classifyError(new DrizzleQueryError('insert into "Chat" ("id") values ($1)', ['t1_s1'], sessionPkey()));
    expect(info).toEqual({
      kind: 'db',
      sqlstate: '23505',
      constraint: 'chat_sessions_pkey',
      table: 'chat_sessions',
      detail: 'Key (id)=(t1_s1) already exists.',
      message: 'duplicate key value violates unique constraint "chat_sessions_pkey"',
    });
  });

  it('an older DrizzleQueryError (name left as Error) is recognised by its class, and a killed connection under it stays a connection error', () => {
    class Legacy extends Error {
      constructor(cause: Error) {
        super('Failed query: select 1\nparams: ');
        (this as any).cause = cause;
      }
    }
    Object.defineProperty(Legacy, 'name', { value: 'DrizzleQueryError' });
    expect(classifyError(new Legacy(sessionFk()))).toMatchObject({
      kind: 'db',
      sqlstate: '23503',
      constraint: 'chat_messages_session_id_fkey',
    });
    const killed = classifyError(
      new DrizzleQueryError('select 1', [], pgError('terminating connection due to administrator command', { code: '57P01' })),
    );
    expect(killed).toMatchObject({ kind: 'connection', sqlstate: '57P01' });
  });

  it('an app error wrapping a DrizzleQueryError wrapping 23505 is a refusal caused by 23505 on the constraint', () => {
    class AppError extends Error {
      constructor(m: string, o?: ErrorOptions) {
        super(m, o);
        this.name = 'AppError';
      }
    }
    const info = classifyError(new AppError('could not save', { cause: new DrizzleQueryError('insert …', [], sessionPkey()) }));
    expect(info).toEqual({
      kind: 'domain',
      errorClass: 'AppError',
      message: 'could not save',
      causeSqlstate: '23505',
      causeConstraint: 'chat_sessions_pkey',
    });
  });

  it('a DrizzleQueryError without a cause is judged on its own (a domain error of its class)', () => {
    expect(classifyError(new DrizzleQueryError('select 1', []))).toMatchObject({ kind: 'domain', errorClass: 'DrizzleQueryError' });
  });
});

describe('classifyError: non-Error throws', () => {
  it.each<[string, unknown, string]>([
    ['a string', 'session not found', "'session not found'"],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a number', 42, '42'],
  ])('%s is a domain error saying a non-Error value was thrown', (_name, value, shown) => {
    const info = classifyError(value);
    expect(info.kind).toBe('domain');
    expect(info.message).toMatch(/non-Error value/);
    expect(info.message).toContain(shown);
    expect(info.sqlstate).toBeUndefined();
  });

  it('a plain object without code or message is a domain error saying a non-Error value was thrown', () => {
    const info = classifyError({ reason: 'nope' });
    expect(info.kind).toBe('domain');
    expect(info.message).toMatch(/non-Error value/);
    expect(info.message).toContain('nope');
  });
});

describe('isForeignKeyError', () => {
  const cases: [string, ErrorInfo | undefined, boolean][] = [
    ['no error', undefined, false],
    ['db 23503', { kind: 'db', message: 'x', sqlstate: '23503' }, true],
    ['db P2003 without a SQLSTATE', { kind: 'db', message: 'x', prismaCode: 'P2003' }, true],
    ['db 23505', { kind: 'db', message: 'x', sqlstate: '23505' }, false],
    ['db P2002', { kind: 'db', message: 'x', prismaCode: 'P2002', sqlstate: '23505' }, false],
    ['domain wrapping 23503', { kind: 'domain', message: 'x', causeSqlstate: '23503' }, false],
    ['connection', { kind: 'connection', message: 'x', sqlstate: '57P01' }, false],
    ['timeout', { kind: 'timeout', message: 'x' }, false],
  ];
  it.each(cases)('%s', (_name, info, expected) => {
    expect(isForeignKeyError(info)).toBe(expected);
  });
});

describe('postgres.js errors', () => {
  it('a PostgresError (constraint_name, table_name) is the raw database error it is', () => {
    const e = Object.assign(new Error('duplicate key value violates unique constraint "chat_sessions_pkey"'), {
      name: 'PostgresError',
      severity: 'ERROR',
      code: '23505',
      detail: 'Key (id)=(t1_s1) already exists.',
      schema_name: 'public',
      table_name: 'chat_sessions',
      constraint_name: 'chat_sessions_pkey',
    });
    expect(classifyError(e)).toMatchObject({ kind: 'db', sqlstate: '23505', constraint: 'chat_sessions_pkey', table: 'chat_sessions' });
  });

  it('its own connection errors (write CONNECTION_CLOSED host:port) leave the outcome unknown', () => {
    const e = Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED', errno: 'CONNECTION_CLOSED' });
    expect(classifyError(e)).toMatchObject({ kind: 'connection' });
  });
});
