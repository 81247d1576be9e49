// Bench-only targets: the built-in `upsert` with exactly its logic (its own create() is called),
// but seen through the wire gate: each logical client gets a pg.Pool of its own on the URL the
// harness hands it, so `npm run bench` can time the wire gate against the pool gate on the same
// code. `directUpsertWireTarget` is the same again, connecting straight to the cell's database
// instead of the proxy (its statements pass no gate at all): the proxy's cost in stress mode.
import pg from 'pg';
import { defineTarget, NO_APP_INSTANCE, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import upsert from '../targets/upsert.js';

/** One client's store: upsert's own create() on a pg.Pool connected to `url`; close() ends the pool. */
async function upsertOn(url: string): Promise<ChatStore> {
  // A logical client makes one call at a time and each call one query at a time: one connection suffices.
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const store = await upsert.create({ pool, databaseUrl: url, ...NO_APP_INSTANCE });
  return { ...store, close: () => pool.end() };
}

const upsertWire = defineTarget({
  name: 'upsert-wire',
  description: "bench: upsert's logic on a pg.Pool of its own per logical client, through the wire gate.",
  expect: upsert.expect,
  gate: 'wire',
  create: ({ databaseUrl }) => upsertOn(databaseUrl),
});
export default upsertWire;

/**
 * upsert-wire connecting directly to the server at `serverUrl` (host and port; user and password
 * are the proxy URL's, which are the cell database's own) instead of through the proxy.
 */
export function directUpsertWireTarget(serverUrl: string): TargetDefinition {
  const server = new URL(serverUrl);
  return defineTarget({
    ...upsertWire,
    name: 'upsert-wire-direct',
    description: 'bench: upsert-wire with its pools connected straight to the database, past the proxy (no gate).',
    create: ({ databaseUrl }) => {
      const url = new URL(databaseUrl);
      url.hostname = server.hostname;
      url.port = server.port;
      return upsertOn(url.toString());
    },
  });
}
