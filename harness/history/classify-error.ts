import { inspect } from 'node:util';

/** How a failed call failed: a raw database error, a domain refusal, or an outcome that is unknown (`info`). */
export interface ErrorInfo {
  kind: 'db' | 'domain' | 'timeout' | 'connection';
  message: string;
  sqlstate?: string;
  constraint?: string;
  prismaCode?: string;
  detail?: string;
  table?: string;
  /** The statement ran, then the harness killed its connection before the result arrived. */
  killedAfter?: boolean;
  /** A domain error that wraps a raw database error keeps its cause's SQLSTATE here (or, when the wrapper dropped its cause, the SQLSTATE of the call's last failed statement). */
  causeSqlstate?: string;
  /** …and its cause's constraint. */
  causeConstraint?: string;
  /** A domain error's own class when it is not plain Error (`AppError`, `TypeError`). */
  errorClass?: string;
}

// Every SQLSTATE has a digit, which tells it from Node's errno codes such as EPIPE.
const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;
// P0xxx are PL/pgSQL SQLSTATEs (P0001 is RAISE EXCEPTION); Prisma's own codes start at P1000.
const PRISMA_CODE = /^P[1-6]\d{3}$/;
// Prisma's connection-level codes: the server could not be reached or closed the connection.
const PRISMA_CONNECTION = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
const PRISMA_TO_SQLSTATE: Record<string, string> = { P2002: '23505', P2003: '23503', P2034: '40001', P2011: '23502' };
// Connection loss means the statement may or may not have committed: the call's outcome is unknown.
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
// …including postgres.js's own codes (`write CONNECTION_CLOSED 127.0.0.1:5432`).
const CONNECTION_MESSAGES =
  /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error|Connection ended|\bCONNECTION_(CLOSED|ENDED|DESTROYED)\b|\bCONNECT_TIMEOUT\b/i;

function sqlstateOf(e: any): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string' && SQLSTATE.test(e.code) && !PRISMA_CODE.test(e.code) && e.syscall === undefined) return e.code;
  // Prisma's driver adapters keep the database's own code as `originalCode`; a plain `cause` is a wrapper's business.
  const original = e.meta?.driverAdapterError?.cause?.originalCode ?? e.cause?.originalCode;
  if (typeof original === 'string' && SQLSTATE.test(original)) return original;
  if (typeof e.code === 'string' && PRISMA_TO_SQLSTATE[e.code]) return PRISMA_TO_SQLSTATE[e.code];
  return undefined;
}

function constraintOf(e: any): string | undefined {
  // node-postgres says `constraint`, postgres.js `constraint_name`.
  return (
    (typeof e.constraint === 'string' && e.constraint) ||
    (typeof e.constraint_name === 'string' && e.constraint_name) ||
    e.meta?.constraint ||
    e.meta?.field_name ||
    e.meta?.driverAdapterError?.cause?.constraint?.index ||
    undefined
  );
}

/** The first error down the `cause` chain that carries a SQLSTATE: its SQLSTATE and constraint. */
function findCause(e: any, depth = 0): { sqlstate: string; constraint?: string } | undefined {
  if (!e || typeof e !== 'object' || depth > 5) return undefined;
  const cause = e.cause;
  const sqlstate = sqlstateOf(cause);
  if (sqlstate) return { sqlstate, constraint: constraintOf(cause) };
  return findCause(cause, depth + 1);
}

// Drizzle passes the driver's error through as `.cause` of a DrizzleQueryError (whose message is
// the SQL and its parameters): that is the ORM reporting a raw error, as Prisma's errors are.
function isDrizzleQueryError(e: any): boolean {
  return e.cause !== undefined && e.cause !== e && (e.name === 'DrizzleQueryError' || e.constructor?.name === 'DrizzleQueryError');
}

function classOf(e: any): string | undefined {
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : e.constructor?.name;
  return typeof name === 'string' && name && name !== 'Error' && name !== 'Object' ? name : undefined;
}

/** Classifies anything a target threw; a value with a SQLSTATE or Prisma code is a raw database error. */
export function classifyError(e: unknown): ErrorInfo {
  for (let depth = 0; depth < 5 && e && typeof e === 'object' && isDrizzleQueryError(e); depth++) e = (e as any).cause;
  const err = e as any;
  const isError = e instanceof Error;
  const described = inspect(e, { depth: 1, breakLength: Infinity });
  if (!isError && (typeof e !== 'object' || e === null)) return { kind: 'domain', message: `threw a non-Error value: ${described}` };
  const message =
    typeof err.message === 'string' && err.message ? err.message : isError ? described : `threw a non-Error value: ${described}`;
  const prismaCode = typeof err.code === 'string' && PRISMA_CODE.test(err.code) ? err.code : undefined;
  const sqlstate = sqlstateOf(err);
  const constraint = constraintOf(err);
  if (sqlstate && CONNECTION_SQLSTATES.has(sqlstate))
    return { kind: 'connection', message, sqlstate, ...(err.chatfuzzKilledAfter === true ? { killedAfter: true } : {}) };
  // A statement timeout (or a cancel) leaves the caller not knowing whether a COMMIT landed.
  if (sqlstate === '57014') return { kind: 'timeout', message, sqlstate };
  if (prismaCode && PRISMA_CONNECTION.has(prismaCode)) return { kind: 'connection', message, prismaCode };
  // P2028 is Prisma's transaction API error: after a killed connection the interactive transaction
  // is gone ("Transaction already closed", "Transaction not found"), and whether it committed is
  // unknown, as with the other lost connections; the rest of P2028 (no transaction started in time) is a timeout.
  if (prismaCode === 'P2028')
    return {
      kind: /already closed|not found|expired transaction|closed connection/i.test(message) ? 'connection' : 'timeout',
      message,
      prismaCode,
    };
  if (sqlstate || prismaCode) {
    const info: ErrorInfo = { kind: 'db', message, sqlstate, prismaCode, constraint: constraint || undefined };
    if (typeof err.detail === 'string') info.detail = err.detail;
    if (typeof err.table === 'string') info.table = err.table;
    else if (typeof err.table_name === 'string') info.table = err.table_name;
    return stripUndefined(info);
  }
  if (CONNECTION_MESSAGES.test(message)) return { kind: 'connection', message };
  const cause = findCause(err);
  return stripUndefined({
    kind: 'domain',
    message,
    errorClass: classOf(err),
    causeSqlstate: cause?.sqlstate,
    causeConstraint: cause?.constraint,
  });
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The call lost its database connection (a kill, a restart): its own error says so, or the SQLSTATE of a wrapped cause does. */
export function isConnectionLoss(info: ErrorInfo | undefined): boolean {
  return !!info && (info.kind === 'connection' || (info.causeSqlstate !== undefined && CONNECTION_SQLSTATES.has(info.causeSqlstate)));
}

/** A foreign-key violation, in SQLSTATE or Prisma terms. */
export function isForeignKeyError(info: ErrorInfo | undefined): boolean {
  return !!info && info.kind === 'db' && (info.sqlstate === '23503' || info.prismaCode === 'P2003');
}
