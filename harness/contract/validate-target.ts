import { isCanonical } from './canonical-schema.js';
import { ID_FORMATS, INVARIANT_NAMES, ISOLATION_LEVELS, type ChatStore, type TargetDefinition } from './define-target.js';

const OPTIONAL_METHODS = ['handleChat', 'deleteSession', 'registerUsers', 'snapshot', 'close'] as const;

/** Problems with a target module's default export, one sentence each; empty when it is a valid TargetDefinition. */
export function validateTarget(value: unknown, scenarioNames: readonly string[]): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['the default export must be an object made with defineTarget({ name, create })'];
  const t = value as Record<string, unknown>;
  if (typeof t.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(t.name)) problems.push('`name` must be a non-empty string of letters, digits, ".", "_" or "-"');
  if (typeof t.create !== 'function') problems.push('`create(ctx)` must be a function returning a ChatStore');
  if (t.description !== undefined && typeof t.description !== 'string') problems.push('`description` must be a string');
  const schema = t.schema;
  if (schema !== undefined && schema !== 'canonical' && !(typeof schema === 'object' && schema !== null
    && (typeof (schema as any).sql === 'string' || (typeof (schema as any).migrations === 'string' && (schema as any).migrations !== '')))) {
    problems.push("`schema` must be 'canonical', { sql: string } or { migrations: 'path/to/migrations' }");
  }
  if (t.isolation !== undefined && !(ISOLATION_LEVELS as readonly unknown[]).includes(t.isolation)) {
    problems.push(`\`isolation\` must be one of ${ISOLATION_LEVELS.join(', ')}, not ${JSON.stringify(t.isolation)}`);
  }
  if (t.tables !== undefined) problems.push(...tableProblems(t.tables));
  if (t.ids !== undefined && !(ID_FORMATS as readonly unknown[]).includes(t.ids)) {
    problems.push(`\`ids\` must be one of ${ID_FORMATS.join(', ')}, not ${JSON.stringify(t.ids)}`);
  }
  if (t.expect !== undefined) {
    if (typeof t.expect !== 'object' || t.expect === null) problems.push('`expect` must map scenario names (or "*") to "pass" or "fail"');
    else for (const [k, v] of Object.entries(t.expect)) {
      if (k !== '*' && !scenarioNames.includes(k)) problems.push(`\`expect\` names unknown scenario "${k}" (valid: *, ${scenarioNames.join(', ')})`);
      if (v !== 'pass' && v !== 'fail') problems.push(`\`expect["${k}"]\` must be "pass" or "fail", not ${JSON.stringify(v)}`);
    }
  }
  if (t.invariants !== undefined) {
    if (typeof t.invariants !== 'object' || t.invariants === null) problems.push('`invariants` must map invariant names to false');
    else for (const [k, v] of Object.entries(t.invariants)) {
      if (!INVARIANT_NAMES.includes(k as any)) problems.push(`\`invariants\` names unknown invariant "${k}" (valid: ${INVARIANT_NAMES.join(', ')})`);
      if (v !== false) problems.push(`\`invariants["${k}"]\` can only be false (opting out)`);
    }
  }
  return problems;
}

/** Problems with the ChatStore a target's `create` returned; empty when it has the required shape. */
export function validateStore(store: unknown, def: Pick<TargetDefinition, 'schema' | 'tables'>): string[] {
  if (typeof store !== 'object' || store === null) return ['`create(ctx)` must return (or resolve to) an object with createSession and logMessage'];
  const s = store as Record<string, unknown>;
  const problems: string[] = [];
  for (const m of ['createSession', 'logMessage'] as const) if (typeof s[m] !== 'function') problems.push(`the ChatStore has no ${m}() method`);
  for (const m of OPTIONAL_METHODS) if (s[m] !== undefined && typeof s[m] !== 'function') problems.push(`the ChatStore's ${m} must be a method when present`);
  if (!isCanonical(def) && typeof s.snapshot !== 'function' && !def.tables) {
    problems.push('a target with its own schema must implement snapshot(scope) or describe its `tables`: the harness cannot read tables it does not know');
  }
  return problems;
}

/** A validated store, typed. */
export function asStore(store: unknown): ChatStore { return store as ChatStore; }

function tableProblems(t: unknown): string[] {
  const named = (v: unknown) => typeof v === 'string' && v !== '';
  const ok = (v: unknown, keys: string[]) => typeof v === 'object' && v !== null && keys.every((k) => named((v as Record<string, unknown>)[k]));
  const x = t as Record<string, unknown> | null;
  const problems: string[] = [];
  if (typeof x !== 'object' || x === null) return ['`tables` must describe { sessions, messages } (and optionally users)'];
  if (x.users !== undefined && !ok(x.users, ['table', 'id'])) problems.push('`tables.users` needs `table` and `id` column names');
  if (!ok(x.sessions, ['table', 'id', 'owner'])) problems.push('`tables.sessions` needs `table`, `id` and `owner` column names');
  if (!ok(x.messages, ['table', 'session', 'role', 'content', 'order'])) problems.push('`tables.messages` needs `table`, `session`, `role`, `content` and `order` column names (and `id` if messages have one)');
  return problems;
}
