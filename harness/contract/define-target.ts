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
  'no-fk-error',
  'no-db-error',
  'no-leaks',
  'no-crash',
  'no-orphans',
  'acked-durable',
  'no-duplicates',
  // Declared app semantics (issue 24): deletes are judged right after ownership, before the checks a wrong delete would trip second.
  'session-ownership',
  'delete-ownership',
  'deleted-stays-deleted',
  'order-preserved',
  'no-phantom-writes',
  'valid-calls-succeed',
  // Issue 25 (user-defined operations): judged against the target's sequential model.
  'serializable',
] as const;

/** Stable invariant names (a public contract); a target may opt out of one with `invariants: { name: false }`. */
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface CreateSessionRequest {
  sessionId: string;
  userId: string;
  title?: string;
}
export interface LogMessageRequest {
  sessionId: string;
  userId: string;
  messageId: string;
  role: Role;
  content: string;
}
export interface ChatMessageInput {
  messageId: string;
  role: Role;
  content: string;
}
/** `reply` is only sent to targets that declare `api: { reply: 'in-request' }`: the assistant's answer, persisted at the end of the same call. */
export interface HandleChatRequest {
  sessionId: string;
  userId: string;
  messages: ChatMessageInput[];
  reply?: ChatMessageInput;
}
export interface DeleteSessionRequest {
  sessionId: string;
  userId: string;
}
/** What logMessage / handleChat of a target with `api: { messageIds: 'server' }` resolve to: the ids the server gave the messages the call stored, in request order (the reply's last); the harness reads the last ones. */
export interface StoredMessageIds {
  messageIds: string[];
}

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

/** A ChatStore of an app that mints message ids (`api: { messageIds: 'server' }`): logMessage and handleChat resolve to the ids it gave. */
export interface ServerIdChatStore extends Omit<ChatStore, 'logMessage' | 'handleChat'> {
  logMessage(req: LogMessageRequest): Promise<StoredMessageIds>;
  handleChat?(req: HandleChatRequest): Promise<StoredMessageIds>;
}

/** The ids a trial used: a snapshot returns the rows that belong to them. */
export interface SnapshotScope {
  userIds: string[];
  sessionIds: string[];
}

/** What the database holds after a trial; `messages` lists each session's messages in display order. */
export interface Snapshot {
  users: { id: string }[];
  /** `deleted`: a soft-deleted session (its row kept, flagged); absent means false. */
  sessions: { id: string; userId: string; deleted?: boolean }[];
  /** `deleted`: a soft-deleted message, not shown to the user; absent means false. */
  messages: { id?: string; sessionId: string; role: string; content: string; deleted?: boolean }[];
  /** Targets with a `model`: what `model.observe` read after the trial, in the workload's logical ids (the harness fills it). */
  model?: unknown;
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
  /** Content as the app stores it (issue 24): 'strip-nul' removes U+0000, 'trim' trims white space, a function maps sent to stored content; checks compare rows with its result. */
  normalize?: 'strip-nul' | 'trim' | ((content: string) => string);
}

/** How the app's API is shaped; every field is optional and defaults to what the harness did before. */
export interface TargetApi {
  /** 'in-request': handleChat persists the assistant's reply (req.reply) at the end of the same call (the AI SDK's onFinish), so no reply is ever logged on its own; default 'separate'. */
  reply?: 'in-request' | 'separate';
  /** What handleChat's messages carry each turn: 'full' the whole conversation with original ids (the AI SDK's useChat), 'new' only the new message(s); default 'any' (both are generated). */
  history?: 'full' | 'new' | 'any';
  input?: InputRules;
  // --- Declared app semantics (issue 24) ---
  /** How sessions come to be and go: see SessionSemantics. */
  sessions?: SessionSemantics;
  /** 'server': the app mints message ids and logMessage / handleChat resolve to { messageIds }; checks then match rows by those ids. Default 'client'. */
  messageIds?: 'client' | 'server';
}

/** Session life cycle as the app means it; every field optional, defaults are what the harness assumed before. */
export interface SessionSemantics {
  /** 'explicit': a message to a session the caller has not created is refused (cleanly, nothing stored); default 'implicit' (the first message creates it). */
  create?: 'implicit' | 'explicit';
  /** How deleteSession behaves: see DeleteSemantics. */
  delete?: DeleteSemantics;
}

/** deleteSession as the app means it. */
export interface DeleteSemantics {
  /** 'refuse': deleting a session that does not exist is refused (403/404); default 'ok'. */
  missing?: 'ok' | 'refuse';
  /** 'refuse': a deleted session's id is a tombstone that refuses new messages (410); default 'recreate' (a later write starts a new conversation). */
  afterDelete?: 'recreate' | 'refuse';
  /** true: the rows stay, flagged (the snapshot reports `deleted: true`); default false. */
  soft?: boolean;
}

/** How the harness sees a target's statements (see `TargetDefinition.gate`). */
export const GATES = ['pool', 'wire'] as const;
export type GateKind = (typeof GATES)[number];

/**
 * What `create` receives. Gate 'pool': every statement must go through `pool`; `databaseUrl` is
 * the database itself (not gated). Gate 'wire': `databaseUrl` is a gated proxy of logical client
 * `client`'s own; connect to it with any driver, or hand it to a server process.
 */
export interface TargetContext extends AppInstanceContext {
  pool: Pool;
  databaseUrl: string;
  client?: number;
}

// ---- Issue 26: the app's own modules, one instance per logical client (kept in one block) ----

/** What `ctx.load` returns: the module's exports, every function called in the client's own instance (arguments and results are copied, so plain data only). */
export type LoadedModule = Record<string, any>;

/** A route handler's answer: its status and body text (the body is read to the end, so stream callbacks such as onFinish have run). */
export interface RouteResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** The Request a route call sends: `body` other than a string is sent as JSON. */
export interface RouteRequestInit {
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

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
  /** Issue 25: the sequential model the `operations` are judged against (the `serializable` invariant). */
  model?: TargetModel<any>;
  /** Issue 25: the app's own operations by name; create()'s result has a method of each name taking the generated args. */
  operations?: Record<string, OperationDefinition<any, any>>;
  create(ctx: TargetContext): ChatStore | ServerIdChatStore | Promise<ChatStore | ServerIdChatStore>;
}

/** Issue 25: a target of its own operations only: create() returns a method per operation (taking its args) and no chat methods. */
export interface OperationsTargetDefinition<
  O extends Record<string, OperationDefinition<any, any>> = Record<string, OperationDefinition<any, any>>,
> extends Omit<TargetDefinition, 'create' | 'model' | 'operations'> {
  model: TargetModel<any>;
  operations: O;
  create(ctx: TargetContext): OperationStoreOf<O> | Promise<OperationStoreOf<O>>;
}

/** Issue 25: the methods create() returns for operations `O`, each taking its operation's args. */
export type OperationStoreOf<O> = {
  [K in keyof O]: (args: O[K] extends OperationDefinition<any, infer A> ? A : never) => Promise<unknown>;
};

/** Identity helper that gives a target module its types (a chat target, or one of operations only). */
export function defineTarget<O extends Record<string, OperationDefinition<any, any>>>(
  definition: OperationsTargetDefinition<O>,
): OperationsTargetDefinition<O>;
export function defineTarget<T extends TargetDefinition>(definition: T): T;
export function defineTarget(definition: unknown): unknown {
  return definition;
}

// ---- Issue 25: user-defined operations and their sequential model --------------------------

/**
 * The ids a trial owns, in the workload's logical names (`u1`, `k1`): users are registered,
 * keys are free names for anything else unique (a handle, a slug). The harness maps them to the
 * trial's own physical ids wherever they appear (args, seed, results, the observed state).
 */
export interface ModelScope {
  users: string[];
  keys: string[];
}

/** What `model.seed` and `model.observe` get: the harness's own (ungated) pool on the cell's database. */
export interface ModelContext {
  pool: Pool;
}

/** A sequential model of the app's state: `initial` and `observe` are required, `seed` optional. */
export interface TargetModel<S> {
  /** The state a trial starts from (JSON values; ids as the scope names them). */
  initial(scope: ModelScope): S;
  /** Reads the database into the model's shape after a trial (ids as the scope passed in names them). */
  observe(ctx: ModelContext, scope: ModelScope): Promise<S>;
  /** Writes `state` into the database before the trial's calls; without it the target's registerUsers (if any) is all the set-up. */
  seed?(ctx: ModelContext, state: S, scope: ModelScope): Promise<void>;
}

/** What a model step gives: the next state and the call's expected result, or a refusal (the call must fail with a domain error and no effect). */
export type OperationStep<S, R = unknown> = { state: S; result: R } | { refuse: true };

/** One of the app's own operations: how its args are generated and what it does to the model's state. */
export interface OperationDefinition<S, A> {
  /** A fast-check arbitrary of JSON args, given the trial's logical users and keys. */
  args(scope: ModelScope): import('fast-check').Arbitrary<A>;
  /** Pure: the next state and the expected result (compared by deep equality; `undefined` for none), or `{ refuse: true }`. */
  apply(state: S, args: A): OperationStep<S>;
}

/** Identity helper that gives an operation its types. */
export function defineOperation<S, A>(definition: OperationDefinition<S, A>): OperationDefinition<S, A> {
  return definition;
}
