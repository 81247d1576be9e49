// contract: what a target is (public contract: the target module). The types a target module sees
// (`import { defineTarget } from 'chatfuzz'`), the validator of its definition and of the store
// its create() returns, the loader of `--target` names and paths (through a registry the CLI
// passes in), and the canonical schema with its default users and snapshot. Hands on: a
// LoadedTarget the run stage can set up.
import type { Pool } from 'pg';

/** Message roles a chat store persists. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** Every documented invariant name, in reporting priority (the order of the built-in checkers). */
export const INVARIANT_NAMES = [
  'no-fk-error', 'no-db-error', 'no-leaks', 'no-crash', 'no-orphans', 'acked-durable', 'no-duplicates',
  'session-ownership', 'order-preserved', 'no-phantom-writes', 'valid-calls-succeed',
] as const;

/** Stable invariant names (a public contract); a target may opt out of one with `invariants: { name: false }`. */
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface CreateSessionRequest { sessionId: string; userId: string; title?: string }
export interface LogMessageRequest { sessionId: string; userId: string; messageId: string; role: Role; content: string }
export interface ChatMessageInput { messageId: string; role: Role; content: string }
/** `reply` is only sent to targets that declare `api: { reply: 'in-request' }`: the assistant's answer, persisted at the end of the same call. */
export interface HandleChatRequest { sessionId: string; userId: string; messages: ChatMessageInput[]; reply?: ChatMessageInput }
export interface DeleteSessionRequest { sessionId: string; userId: string }

/** The persistence code under test, as the harness calls it. */
export interface ChatStore {
  /** Optional: without it scenarios open every session with its first message. */
  createSession?(req: CreateSessionRequest): Promise<void>;
  logMessage(req: LogMessageRequest): Promise<void>;
  handleChat?(req: HandleChatRequest): Promise<void>;
  deleteSession?(req: DeleteSessionRequest): Promise<void>;
  registerUsers?(userIds: string[]): Promise<void>;
  snapshot?(scope: SnapshotScope): Promise<Snapshot>;
  close?(): Promise<void>;
}

/** The ids a trial used: a snapshot returns the rows that belong to them. */
export interface SnapshotScope { userIds: string[]; sessionIds: string[] }

/** What the database holds after a trial; `messages` lists each session's messages in display order. */
export interface Snapshot {
  users: { id: string }[];
  sessions: { id: string; userId: string }[];
  messages: { id?: string; sessionId: string; role: string; content: string }[];
}

/** How a target's ids look: the harness's own text ids, or UUIDs (deterministic v5 of the harness id, mapped back in reports). */
export const ID_FORMATS = ['text', 'uuid'] as const;
export type IdFormat = (typeof ID_FORMATS)[number];

/** Transaction isolation levels a run or a target can ask for. */
export const ISOLATION_LEVELS = ['read-committed', 'repeatable-read', 'serializable'] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** Where a target's own schema keeps users, sessions and messages, so the harness can read a snapshot (and register users) without code. */
export interface TableMap {
  /** Optional: without it every session owner counts as an existing user. */
  users?: { table: string; id: string };
  sessions: { table: string; id: string; owner: string };
  /** `order` is the column giving display order within a session; `id` is optional for messages keyed otherwise. */
  messages: { table: string; id?: string; session: string; role: string; content: string; order: string };
}

/** A finding a team knows about and is fixing: cells that only fail with it pass, and the report counts it as muted. */
export interface KnownFinding {
  invariant: InvariantName;
  sqlstate?: string;
  constraint?: string;
  /** Why it is muted (an issue link, say); shown in the report. */
  note?: string;
}

/** What a cell expects: an outcome, or a pass apart from known findings. */
export type Expectation = 'pass' | 'fail' | { mute: KnownFinding[] };

/** Input an app legitimately refuses: calls that break a rule are generated as refusable (a clean refusal is right; a raw error or a silent drop is still a finding), the rest must succeed. */
export interface InputRules {
  /** Empty or whitespace-only content is refused. */
  emptyContent?: 'refuse';
  /** Content longer than this many characters (code points) is refused. */
  maxContentLength?: number;
  /** Session, user and message ids (as the target is handed them) that do not match are refused. */
  idPattern?: RegExp | string;
}

/** How the app's API is shaped; every field is optional and defaults to what the harness did before. */
export interface TargetApi {
  /** 'in-request': handleChat persists the assistant's reply (req.reply) at the end of the same call (the AI SDK's onFinish), so no reply is ever logged on its own; default 'separate'. */
  reply?: 'in-request' | 'separate';
  /** What handleChat's messages carry each turn: 'full' the whole conversation with original ids (the AI SDK's useChat), 'new' only the new message(s); default 'any' (both are generated). */
  history?: 'full' | 'new' | 'any';
  input?: InputRules;
}

/** How the harness sees a target's statements (see `TargetDefinition.gate`). */
export const GATES = ['pool', 'wire'] as const;
export type GateKind = (typeof GATES)[number];

/**
 * What `create` receives. Gate 'pool': every statement must go through `pool`; `databaseUrl` is
 * the database itself (not gated). Gate 'wire': `databaseUrl` is a gated proxy of logical client
 * `client`'s own; connect to it with any driver, or hand it to a server process.
 */
export interface TargetContext extends AppInstanceContext { pool: Pool; databaseUrl: string; client?: number }

// ---- Issue 26: the app's own modules, one instance per logical client (kept in one block) ----

/** What `ctx.load` returns: the module's exports, every function called in the client's own instance (arguments and results are copied, so plain data only). */
export type LoadedModule = Record<string, any>;

/** A route handler's answer: its status and body text (the body is read to the end, so stream callbacks such as onFinish have run). */
export interface RouteResponse { status: number; body: string; headers: Record<string, string> }

/** The Request a route call sends: `body` other than a string is sent as JSON. */
export interface RouteRequestInit { url?: string; method?: string; headers?: Record<string, string>; body?: unknown }

/** Calls a loaded route handler with a Request built from `init`: 2xx/3xx resolve, 4xx reject with a RouteRefusal (a refusal), 5xx with a RouteError. */
export type RouteCaller = (init: RouteRequestInit) => Promise<RouteResponse>;

/** The per-client app instance a target's create() can use (gate 'wire', which `env` implies). */
export interface AppInstanceContext {
  /**
   * Imports `specifier` (relative to the target file, a path alias of its tsconfig, or a package)
   * in this logical client's own instance of the app: its own module graph, process.env (with the
   * target's `env` variables set to this client's gated URL) and globalThis, closed with the cell.
   */
  load(specifier: string): Promise<LoadedModule>;
  /** Loads a Web-standard route handler (`export async function POST(request: Request): Promise<Response>`) in this client's instance. */
  route(specifier: string, exportName?: string): Promise<RouteCaller>;
}

/** The definition fields of issue 26 (apps as they are). */
export interface AppInstanceFields {
  /** Environment variables set to each logical client's gated database URL in its app instance (`['POSTGRES_URL']`); implies gate 'wire'. */
  env?: string[];
  /** Module specifier → a file of the user's (relative to the target file) that replaces it in the app instance: authentication, the AI model. */
  alias?: Record<string, string>;
}

/** The context of a create() called outside a cell (a benchmark, a unit test): no app instance. */
export const NO_APP_INSTANCE: AppInstanceContext = {
  load: () => Promise.reject(new Error('ctx.load needs a cell: this create() was called without one')),
  route: () => Promise.reject(new Error('ctx.route needs a cell: this create() was called without one')),
};
// ---- end of issue 26's block ----

/** A target module's default export (public contract: the target module). */
export interface TargetDefinition extends AppInstanceFields {
  name: string;
  description?: string;
  /** 'canonical' (the default), the DDL itself, or a migrations path relative to the working directory (a .sql file, a Drizzle or Prisma migrations folder, or a folder of .sql files). */
  schema?: 'canonical' | { sql: string } | { migrations: string };
  /** Scenario name or '*' → 'pass', 'fail' or { mute: [...] } (a pass apart from known findings); a scenario's own entry wins over '*', and mutes of both apply. */
  expect?: Record<string, Expectation>;
  invariants?: Partial<Record<InvariantName, false>>;
  /** Own schema: where users, sessions and messages live; replaces snapshot() (and registerUsers(), which inserts ids only). */
  tables?: TableMap;
  /** `'uuid'`: every session, user and message id the target is handed (and reads back in its snapshot) is a UUID. Default `'text'`. */
  ids?: IdFormat;
  /** The isolation its transactions need; overrides `--isolation` (which sets the default for the others). */
  isolation?: IsolationLevel;
  /** The shape of the app's API: reply in the same request, history sent each turn, input rules. */
  api?: TargetApi;
  /**
   * 'pool' (default): statements are seen through `ctx.pool`. 'wire': through a PostgreSQL proxy,
   * whatever driver or process sends them; create() then runs once per logical client of a trial,
   * each time with a `databaseUrl` of that client's own, so every statement is tied to its call.
   */
  gate?: GateKind;
  create(ctx: TargetContext): ChatStore | Promise<ChatStore>;
}

/** Identity helper that gives a target module its types. */
export function defineTarget<T extends TargetDefinition>(definition: T): T {
  return definition;
}
