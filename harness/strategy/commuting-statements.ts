// Statements that cannot affect each other whichever runs first, for exhaustive mode's pruning.
// Only one kind is claimed: two plain reads on different connections. A read writes nothing,
// takes no lock a read conflicts with (ACCESS SHARE), and sees only committed state, which the
// other read does not change; under SERIALIZABLE two reads create no rw-conflict either. Anything
// that may write, lock, draw from a sequence, read the clock or call an unknown function is not
// claimed: BEGIN fixes now() for its transaction, so even BEGINs do not commute.
const READ = /^\s*(SELECT|SHOW|TABLE|VALUES)\b/i;
const NOT_PURE =
  /\b(FOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)|INTO|INSERT|UPDATE|DELETE|MERGE|now|current_timestamp|current_time|localtime|localtimestamp|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|nextval|setval|currval|lastval|random|gen_random_uuid|uuid_generate_\w+|pg_advisory\w*|pg_try_advisory\w*|txid_current\w*|pg_current_xact_id\w*|pg_sleep\w*|set_config|pg_notify|dblink\w*)\b/i;
// Functions known to be read-only and deterministic; any other call might write or read the clock.
const SAFE_CALLS = new Set([
  'exists',
  'count',
  'max',
  'min',
  'sum',
  'avg',
  'coalesce',
  'nullif',
  'lower',
  'upper',
  'length',
  'char_length',
  'array_agg',
  'json_agg',
  'jsonb_agg',
  'string_agg',
  'cardinality',
  'unnest',
  'any',
  'all',
  'in',
  'current_setting',
  'row_number',
  'over',
  'cast',
  'greatest',
  'least',
  'abs',
  'concat',
  'trim',
  'replace',
  'substring',
  'position',
  'select',
  'values',
]);

/** True when the SQL is a read that cannot change what another connection's statement does or sees. */
export function isPureRead(sql: string): boolean {
  if (!READ.test(sql) || NOT_PURE.test(sql)) return false;
  for (const m of sql.matchAll(/("?)([A-Za-z_][\w$]*)\1\s*\(/g)) if (!SAFE_CALLS.has(m[2]!.toLowerCase())) return false;
  return !sql.includes(';');
}

/** Two waiting statements of different calls commute: running them in either order gives the same results and state. */
export function commute(a: { call: number; sql: string }, b: { call: number; sql: string }): boolean {
  return a.call !== b.call && isPureRead(a.sql) && isPureRead(b.sql);
}
