/**
 * A copy of a JSON-like value with every string, and every object key, found in `table` replaced
 * by its entry: how operation args, results and model states cross between the workload's
 * logical ids (`u1`) and the trial's physical ones (`t3_u1`, or their UUIDs). Values that are
 * not plain JSON (Dates, BigInts) become their JSON text, so a history stays JSON.
 */
export function mapIds(value: unknown, table: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return table.get(value) ?? value;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (Array.isArray(value)) return value.map((v) => mapIds(v, table));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return mapIds((value as { toJSON(): unknown }).toJSON(), table);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[table.get(k) ?? k] = mapIds(v, table);
  return out;
}
