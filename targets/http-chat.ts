// http-chat: a black-box target. The chat API is a process of its own (http-chat-server.mjs, plain
// node:http and pg) and the target only speaks HTTP to it; the wire gate sees its SQL on the
// PostgreSQL protocol, each logical client through a server started on that client's own proxy
// URL. Its persistence is naive's: messages are inserted straight away, and /chat creates the
// session only when `messages.length === 1` (seed 001), so a first request carrying
// [system, user] fails with 23503 on chat_messages_session_id_fkey, as does logging before
// createSession.
import { fileURLToPath } from 'node:url';
import { defineTarget, type ChatStore } from '../harness/contract/define-target.js';
import { startServer } from '../harness/contract/start-server.js';

const serverFile = fileURLToPath(new URL('./http-chat-server.mjs', import.meta.url));

export default defineTarget({
  name: 'http-chat',
  description:
    "A chat API as its own process (node:http + pg), fuzzed over HTTP through the wire gate; naive persistence, seed 001's handleChat.",
  gate: 'wire',
  expect: { '*': 'fail' },
  async create({ databaseUrl, client }) {
    const server = await startServer({
      name: `http-chat c${client}`,
      command: process.execPath,
      args: [serverFile],
      env: { DATABASE_URL: databaseUrl, PORT: '0' },
      ready: /listening on (\d+)/,
    });
    const base = `http://127.0.0.1:${server.match![1]}`;
    async function post(path: string, body: unknown): Promise<void> {
      const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.ok) return;
      let error: { message?: string; code?: string; constraint?: string; detail?: string } | undefined;
      try {
        error = JSON.parse(text).error;
      } catch {
        /* not the API's JSON: the status says enough */
      }
      // Carries the database's SQLSTATE as the driver's error did, so the harness sees the raw error it is.
      const e: Error & { code?: string; constraint?: string; detail?: string } = new Error(
        error?.message ?? `POST ${path}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
      // Only what the database said: an absent field must not read as an empty SQLSTATE.
      if (error?.code) e.code = error.code;
      if (error?.constraint) e.constraint = error.constraint;
      if (error?.detail) e.detail = error.detail;
      throw e;
    }
    const store: ChatStore = {
      createSession: (req) => post('/sessions', req),
      logMessage: (req) => post('/messages', req),
      handleChat: (req) => post('/chat', req),
      close: () => server.stop(),
    };
    return store;
  },
});
