import pg from 'pg';
import postgres from 'postgres';
const url0 = 'postgres://postgres@127.0.0.1:5432/test';
const control = new pg.Client(url0); await control.connect();
const sql = postgres(url0, { max: 4, onnotice: () => {} });
await sql.begin(async (tx) => {
  const [{ pid }] = await tx`SELECT pg_backend_pid() AS pid`;
  setTimeout(() => control.query('SELECT pg_terminate_backend($1)', [pid]), 100);
  await tx`SELECT pg_sleep(${1}) AS b`;
}).then((r) => console.log('first ok', r), (e) => console.log('first err', e.code, e.message));
await sql`SELECT ${1}::int AS a`.then((r) => console.log('second ok', r), (e) => console.log('second err', e.code, e.message));
await sql.end(); await control.end();
