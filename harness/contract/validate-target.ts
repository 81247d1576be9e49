import { isCanonical } from './canonical-schema.js';
import { GATES, ID_FORMATS, INVARIANT_NAMES, ISOLATION_LEVELS, type ChatStore, type TargetDefinition } from './define-target.js';

const OPTIONAL_METHODS = ['createSession', 'handleChat', 'deleteSession', 'registerUsers', 'snapshot', 'close'] as const;

/** Problems with a target module's default export, one sentence each; empty when it is a valid TargetDefinition. */
export function validateTarget(value: unknown, scenarioNames: readonly string[]): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['the default export must be an object made with defineTarget({ name, create })'];
  const t = value as Record<string, unknown>;
  if (typeof t.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(t.name))
    problems.push('`name` must be a non-empty string of letters, digits, ".", "_" or "-"');
  if (typeof t.create !== 'function') problems.push('`create(ctx)` must be a function returning a ChatStore');
  if (t.description !== undefined && typeof t.description !== 'string') problems.push('`description` must be a string');
  const schema = t.schema;
  if (
    schema !== undefined &&
    schema !== 'canonical' &&
    !(
      typeof schema === 'object' &&
      schema !== null &&
      (typeof (schema as any).sql === 'string' || (typeof (schema as any).migrations === 'string' && (schema as any).migrations !== ''))
    )
  ) {
    problems.push("`schema` must be 'canonical', { sql: string } or { migrations: 'path/to/migrations' }");
  }
  if (t.isolation !== undefined && !(ISOLATION_LEVELS as readonly unknown[]).includes(t.isolation)) {
    problems.push(`\`isolation\` must be one of ${ISOLATION_LEVELS.join(', ')}, not ${JSON.stringify(t.isolation)}`);
  }
  if (t.tables !== undefined) problems.push(...tableProblems(t.tables));
  if (t.ids !== undefined && !(ID_FORMATS as readonly unknown[]).includes(t.ids)) {
    problems.push(`\`ids\` must be one of ${ID_FORMATS.join(', ')}, not ${JSON.stringify(t.ids)}`);
  }
  if (t.api !== undefined) problems.push(...apiProblems(t.api));
  if (t.gate !== undefined && !(GATES as readonly unknown[]).includes(t.gate)) {
    problems.push(`\`gate\` must be one of ${GATES.join(', ')}, not ${JSON.stringify(t.gate)}`);
  }
  problems.push(...appInstanceProblems(t));
  if (t.expect !== undefined) {
    if (typeof t.expect !== 'object' || t.expect === null)
      problems.push('`expect` must map scenario names (or "*") to "pass", "fail" or { mute: [...] }');
    else
      for (const [k, v] of Object.entries(t.expect)) {
        if (k !== '*' && !scenarioNames.includes(k))
          problems.push(`\`expect\` names unknown scenario "${k}" (valid: *, ${scenarioNames.join(', ')})`);
        if (typeof v === 'object' && v !== null && !Array.isArray(v))
          problems.push(...expectationProblems(k, v as Record<string, unknown>));
        else if (v !== 'pass' && v !== 'fail')
          problems.push(
            `\`expect["${k}"]\` must be "pass", "fail" or { mute: [{ invariant, sqlstate?, constraint?, note? }] }, not ${JSON.stringify(v)}`,
          );
      }
  }
  problems.push(...operationProblems(t));
  if (t.invariants !== undefined) {
    if (typeof t.invariants !== 'object' || t.invariants === null) problems.push('`invariants` must map invariant names to false');
    else
      for (const [k, v] of Object.entries(t.invariants)) {
        if (!INVARIANT_NAMES.includes(k as any))
          problems.push(`\`invariants\` names unknown invariant "${k}" (valid: ${INVARIANT_NAMES.join(', ')})`);
        if (v !== false) problems.push(`\`invariants["${k}"]\` can only be false (opting out)`);
      }
  }
  return problems;
}

/** Problems with the ChatStore a target's `create` returned; empty when it has the required shape. */
export function validateStore(
  store: unknown,
  def: Pick<TargetDefinition, 'schema' | 'tables' | 'operations'> & { api?: TargetDefinition['api'] },
): string[] {
  if (typeof store !== 'object' || store === null)
    return [
      '`create(ctx)` must return (or resolve to) an object with logMessage (and createSession, handleChat, … where the app has them)',
    ];
  const s = store as Record<string, unknown>;
  const problems: string[] = [];
  // Issue 25: a target of its own operations needs no chat methods, but a method per operation.
  const operations = Object.keys(def.operations ?? {});
  for (const name of operations)
    if (typeof s[name] !== 'function') problems.push(`the object create() returned has no ${name}() method for operation "${name}"`);
  const chatless = operations.length > 0 && s.logMessage === undefined;
  if (typeof s.logMessage !== 'function' && !chatless) problems.push('the ChatStore has no logMessage() method');
  for (const m of OPTIONAL_METHODS)
    if (s[m] !== undefined && typeof s[m] !== 'function') problems.push(`the ChatStore's ${m} must be a method when present`);
  if (!chatless && !isCanonical(def) && typeof s.snapshot !== 'function' && !def.tables) {
    problems.push(
      'a target with its own schema must implement snapshot(scope) or describe its `tables`: the harness cannot read tables it does not know',
    );
  }
  // Declared app semantics (issue 24): an explicit create needs the method that creates.
  if (def.api?.sessions?.create === 'explicit' && typeof s.createSession !== 'function')
    problems.push("`api.sessions.create: 'explicit'` needs a createSession() method (or declare 'implicit')");
  return problems;
}

const KNOWN_FINDING_KEYS = ['invariant', 'sqlstate', 'constraint', 'note'];

// A mute that can never match (a typo in a key or a name) would silently stop muting: each is a problem.
function expectationProblems(scenario: string, e: Record<string, unknown>): string[] {
  const at = `\`expect["${scenario}"]\``;
  const problems: string[] = [];
  for (const k of Object.keys(e)) if (k !== 'mute') problems.push(`${at} has an unknown key "${k}" (an object entry is { mute: [...] })`);
  if (!Array.isArray(e.mute))
    return [...problems, `${at}.mute must be an array of known findings such as { invariant: 'no-db-error', sqlstate: '23505' }`];
  e.mute.forEach((f: unknown, i) => {
    const where = `${at}.mute[${i}]`;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) {
      problems.push(`${where} must be an object { invariant, sqlstate?, constraint?, note? }`);
      return;
    }
    const x = f as Record<string, unknown>;
    for (const k of Object.keys(x))
      if (!KNOWN_FINDING_KEYS.includes(k)) problems.push(`${where} has an unknown key "${k}" (valid: ${KNOWN_FINDING_KEYS.join(', ')})`);
    if (!INVARIANT_NAMES.includes(x.invariant as any))
      problems.push(`${where}.invariant must name an invariant (${INVARIANT_NAMES.join(', ')}), not ${JSON.stringify(x.invariant)}`);
    if (x.sqlstate !== undefined && !(typeof x.sqlstate === 'string' && /^[0-9A-Z]{5}$/.test(x.sqlstate)))
      problems.push(`${where}.sqlstate must be a five-character SQLSTATE string such as '23505', not ${JSON.stringify(x.sqlstate)}`);
    if (x.constraint !== undefined && !(typeof x.constraint === 'string' && x.constraint !== ''))
      problems.push(`${where}.constraint must be a constraint name, not ${JSON.stringify(x.constraint)}`);
    if (x.note !== undefined && typeof x.note !== 'string') problems.push(`${where}.note must be a string`);
  });
  return problems;
}

/** A validated store, typed. */
export function asStore(store: unknown): ChatStore {
  return store as ChatStore;
}

const API_KEYS = ['reply', 'history', 'input', 'sessions', 'messageIds'];
const INPUT_KEYS = ['emptyContent', 'maxContentLength', 'idPattern', 'normalize'];

function apiProblems(a: unknown): string[] {
  if (typeof a !== 'object' || a === null)
    return ["`api` must be an object such as { reply: 'in-request', history: 'full', input: { maxContentLength: 4000 } }"];
  const x = a as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(x))
    if (!API_KEYS.includes(k)) problems.push(`\`api\` has an unknown key "${k}" (valid: ${API_KEYS.join(', ')})`);
  if (x.reply !== undefined && x.reply !== 'in-request' && x.reply !== 'separate')
    problems.push(`\`api.reply\` must be 'in-request' or 'separate', not ${JSON.stringify(x.reply)}`);
  if (x.history !== undefined && !['full', 'new', 'any'].includes(x.history as string))
    problems.push(`\`api.history\` must be 'full', 'new' or 'any', not ${JSON.stringify(x.history)}`);
  const input = x.input as Record<string, unknown> | undefined;
  if (input !== undefined) {
    if (typeof input !== 'object' || input === null)
      return [
        ...problems,
        "`api.input` must be an object such as { emptyContent: 'refuse', maxContentLength: 4000, idPattern: /^[0-9a-f-]{36}$/ }",
      ];
    for (const k of Object.keys(input))
      if (!INPUT_KEYS.includes(k)) problems.push(`\`api.input\` has an unknown key "${k}" (valid: ${INPUT_KEYS.join(', ')})`);
    const normalize = input.normalize;
    if (normalize !== undefined && normalize !== 'strip-nul' && normalize !== 'trim' && typeof normalize !== 'function')
      problems.push(
        `\`api.input.normalize\` must be 'strip-nul', 'trim' or a function (content) => stored content, not ${JSON.stringify(normalize)}`,
      );
    if (input.emptyContent !== undefined && input.emptyContent !== 'refuse')
      problems.push(`\`api.input.emptyContent\` can only be 'refuse', not ${JSON.stringify(input.emptyContent)}`);
    const max = input.maxContentLength;
    if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max >= 0))
      problems.push(`\`api.input.maxContentLength\` must be a whole number of characters, not ${JSON.stringify(max)}`);
    const pattern = input.idPattern;
    if (pattern !== undefined && !(pattern instanceof RegExp)) {
      if (typeof pattern !== 'string') problems.push('`api.input.idPattern` must be a RegExp or a regular expression string');
      else
        try {
          new RegExp(pattern);
        } catch (e) {
          problems.push(`\`api.input.idPattern\` is not a valid regular expression: ${(e as Error).message}`);
        }
    }
  }
  problems.push(...semanticsProblems(x));
  return problems;
}

// --- Declared app semantics (issue 24): api.sessions, api.messageIds ---
function semanticsProblems(x: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (x.messageIds !== undefined && x.messageIds !== 'client' && x.messageIds !== 'server')
    problems.push(`\`api.messageIds\` must be 'client' or 'server', not ${JSON.stringify(x.messageIds)}`);
  const s = x.sessions as Record<string, unknown> | undefined;
  if (s === undefined) return problems;
  if (typeof s !== 'object' || s === null)
    return [
      ...problems,
      "`api.sessions` must be an object such as { create: 'explicit', delete: { missing: 'refuse', afterDelete: 'refuse', soft: true } }",
    ];
  for (const k of Object.keys(s))
    if (k !== 'create' && k !== 'delete') problems.push(`\`api.sessions\` has an unknown key "${k}" (valid: create, delete)`);
  if (s.create !== undefined && s.create !== 'implicit' && s.create !== 'explicit')
    problems.push(`\`api.sessions.create\` must be 'implicit' or 'explicit', not ${JSON.stringify(s.create)}`);
  const d = s.delete as Record<string, unknown> | undefined;
  if (d === undefined) return problems;
  if (typeof d !== 'object' || d === null)
    return [...problems, "`api.sessions.delete` must be an object such as { missing: 'refuse', afterDelete: 'refuse', soft: true }"];
  for (const k of Object.keys(d))
    if (!['missing', 'afterDelete', 'soft'].includes(k))
      problems.push(`\`api.sessions.delete\` has an unknown key "${k}" (valid: missing, afterDelete, soft)`);
  if (d.missing !== undefined && d.missing !== 'ok' && d.missing !== 'refuse')
    problems.push(`\`api.sessions.delete.missing\` must be 'ok' or 'refuse', not ${JSON.stringify(d.missing)}`);
  if (d.afterDelete !== undefined && d.afterDelete !== 'recreate' && d.afterDelete !== 'refuse')
    problems.push(`\`api.sessions.delete.afterDelete\` must be 'recreate' or 'refuse', not ${JSON.stringify(d.afterDelete)}`);
  if (d.soft !== undefined && typeof d.soft !== 'boolean')
    problems.push(`\`api.sessions.delete.soft\` must be true or false, not ${JSON.stringify(d.soft)}`);
  return problems;
}

function tableProblems(t: unknown): string[] {
  const named = (v: unknown) => typeof v === 'string' && v !== '';
  const ok = (v: unknown, keys: string[]) =>
    typeof v === 'object' && v !== null && keys.every((k) => named((v as Record<string, unknown>)[k]));
  const x = t as Record<string, unknown> | null;
  const problems: string[] = [];
  if (typeof x !== 'object' || x === null) return ['`tables` must describe { sessions, messages } (and optionally users)'];
  if (x.users !== undefined && !ok(x.users, ['table', 'id'])) problems.push('`tables.users` needs `table` and `id` column names');
  if (!ok(x.sessions, ['table', 'id', 'owner'])) problems.push('`tables.sessions` needs `table`, `id` and `owner` column names');
  if (!ok(x.messages, ['table', 'session', 'role', 'content', 'order']))
    problems.push('`tables.messages` needs `table`, `session`, `role`, `content` and `order` column names (and `id` if messages have one)');
  return problems;
}

// ---- Issue 25: operations and their model ------------------------------------------------

const CHAT_METHODS = ['createSession', 'logMessage', 'handleChat', 'deleteSession', 'registerUsers', 'snapshot', 'close'];

/** Problems with a target's `model` and `operations`: each operation has args() and apply(), and operations need a model. */
function operationProblems(t: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const model = t.model as Record<string, unknown> | undefined;
  if (model !== undefined) {
    if (typeof model !== 'object' || model === null)
      return ['`model` must be { initial(scope), observe(ctx, scope), seed?(ctx, state, scope) }'];
    for (const f of ['initial', 'observe'] as const)
      if (typeof model[f] !== 'function') problems.push(`\`model.${f}\` must be a function (see docs/operations.md)`);
    if (model.seed !== undefined && typeof model.seed !== 'function')
      problems.push('`model.seed` must be a function (ctx, state, scope) => Promise<void> when present');
  }
  const ops = t.operations;
  if (ops === undefined) return problems;
  if (typeof ops !== 'object' || ops === null || Array.isArray(ops))
    return [...problems, '`operations` must map operation names to defineOperation({ args, apply })'];
  const names = Object.keys(ops);
  if (names.length && model === undefined)
    problems.push('`operations` need a `model: { initial, observe }` to be judged against (the serializable invariant)');
  for (const name of names) {
    const op = (ops as Record<string, unknown>)[name] as Record<string, unknown> | null;
    if (!/^[A-Za-z_$][\w$]*$/.test(name))
      problems.push(`operation name "${name}" must be a JavaScript identifier (it names a method of create()'s result)`);
    if (CHAT_METHODS.includes(name)) problems.push(`operation name "${name}" is a ChatStore method; give the operation a name of its own`);
    if (typeof op !== 'object' || op === null) {
      problems.push(`\`operations.${name}\` must be defineOperation({ args, apply })`);
      continue;
    }
    if (typeof op.args !== 'function')
      problems.push(`\`operations.${name}.args\` must be a function ({ users, keys }) => fast-check arbitrary`);
    if (typeof op.apply !== 'function')
      problems.push(`\`operations.${name}.apply\` must be a pure function (state, args) => { state, result } | { refuse: true }`);
  }
  return problems;
}

// Issue 26's fields: `env` names variables, `alias` maps specifiers to files; both need the wire gate's per-client URLs.
function appInstanceProblems(t: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (t.env !== undefined) {
    if (!Array.isArray(t.env) || !t.env.every((v) => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v)))
      problems.push("`env` must list environment variable names, such as ['POSTGRES_URL']");
    else if (t.gate === 'pool')
      problems.push(
        "`env` sets each logical client's own gated URL, which only the wire gate has: remove `gate: 'pool'` (env implies gate: 'wire')",
      );
  }
  if (t.alias !== undefined) {
    if (
      typeof t.alias !== 'object' ||
      t.alias === null ||
      Array.isArray(t.alias) ||
      !Object.values(t.alias).every((v) => typeof v === 'string' && v !== '')
    ) {
      problems.push("`alias` must map module specifiers to files of yours, such as { '@/app/(auth)/auth': './fake-auth.ts' }");
    }
  }
  return problems;
}
