// A chat API as its own process, for the http-chat target: plain node:http, its own pg.Pool on
// DATABASE_URL, naive persistence. POST /chat is seed 001's handleChat: it creates the session
// only when `messages.length === 1`, so a first request carrying [system, user] inserts a message
// whose session does not exist (23503 on chat_messages_session_id_fkey). Nothing in it knows
// chatfuzz; a database error answers 500 with the error's SQLSTATE, constraint and detail.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
// An idle connection killed under the pool must not take the server down.
pool.on('error', (e) => console.error(`pool: idle connection lost: ${e.message}`));

async function createSession({ sessionId, userId, title }) {
  await pool.query('INSERT INTO chat_sessions (id, user_id, title) VALUES ($1, $2, $3)', [sessionId, userId, title ?? null]);
}

async function createMessage({ sessionId, messageId, role, content }) {
  await pool.query('INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)', [
    messageId,
    sessionId,
    role,
    content,
  ]);
}

async function handleChat({ sessionId, userId, messages }) {
  // Seed 001: "Only creates session if messages.length === 1".
  if (messages.length === 1) await createSession({ sessionId, userId, title: messages[0].content.slice(0, 40) });
  const last = messages[messages.length - 1];
  if (last) await createMessage({ sessionId, userId, ...last });
}

const routes = { '/sessions': createSession, '/messages': createMessage, '/chat': handleChat };

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  const route = req.method === 'POST' ? routes[req.url] : undefined;
  if (!route) return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
  let body;
  try {
    body = await readJson(req);
  } catch (e) {
    return send(res, 400, { error: { message: `invalid JSON body: ${e.message}` } });
  }
  try {
    await route(body);
    send(res, 200, { ok: true });
  } catch (e) {
    // The raw database error, passed on as it is: the client can tell a 23503 from a refusal.
    send(res, 500, { error: { message: e.message, code: e.code, constraint: e.constraint, detail: e.detail } });
  }
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});

process.once('SIGTERM', () => {
  // Statements held at a gate may never finish: the pool gets a second to end, not forever.
  setTimeout(() => process.exit(0), 1000).unref();
  server.close();
  server.closeAllConnections();
  pool
    .end()
    .catch(() => {})
    .finally(() => process.exit(0));
});
