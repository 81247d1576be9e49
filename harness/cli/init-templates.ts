/** What `chatfuzz init` found in the project. */
export interface Detected {
  stack: 'prisma' | 'drizzle' | 'pg';
  /** A migrations path relative to the project root, when one was found. */
  migrations?: string;
}

/** chatfuzz.config.ts: the user's targets only, everything else at its default. */
export function configTemplate(): string {
  return `import { defineConfig } from 'chatfuzz';

// \`npx chatfuzz\` (or \`npm run fuzz\`) runs what this file says; command-line flags override it.
export default defineConfig({
  targets: ['./chatfuzz/target.ts'],
  // scenarios: ['concurrent-duplicates', 'multi-message-first-request'],  // default: all of them
  // runs: 100,                 // trials per target × scenario cell
  // timeBudget: '2m',          // for the whole run
  // db: 'embedded',            // or 'postgres://…' (chatfuzz creates and drops its own databases there)
  report: 'chatfuzz-report',    // results.json, index.html, junit.xml
});
`;
}

const SCHEMA = (d: Detected) => d.migrations
  ? `  // Applied to a fresh database for every cell, in your tool's order.\n  schema: { migrations: '${d.migrations}' },`
  : `  // Your DDL: { sql: '…' }, or { migrations: 'path' } (a .sql file, a Drizzle or Prisma migrations folder).\n  schema: { sql: 'CREATE TABLE …' },`;

const CLIENT: Record<Detected['stack'], string> = {
  prisma: `    // Prisma 7: hand it the gated pool, so chatfuzz sees and schedules every statement.
    //   import { PrismaClient } from '@/generated/prisma/client';
    //   import { PrismaPg } from '@prisma/adapter-pg';
    //   const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });`,
  drizzle: `    // Drizzle on node-postgres: hand it the gated pool, so chatfuzz sees and schedules every statement.
    //   import { drizzle } from 'drizzle-orm/node-postgres';
    //   const db = drizzle(pool);`,
  pg: `    // node-postgres: use \`pool\` wherever your code takes a Pool or a client.`,
};

/** chatfuzz/target.ts: a commented skeleton for the detected stack that says what to fill in. */
export function targetTemplate(d: Detected): string {
  return `// The adapter between chatfuzz and your persistence code: map each call onto your own
// functions without "fixing" them on the way. See the README of chatfuzz ("Targets").
import { defineTarget } from 'chatfuzz';

export default defineTarget({
  name: 'my-app',
${SCHEMA(d)}
  // Where your rows live (your table and column names): chatfuzz reads each trial's rows from them.
  tables: {
    users: { table: 'users', id: 'id' },  // optional; other columns need defaults, or write registerUsers below
    sessions: { table: 'chats', id: 'id', owner: 'user_id' },
    messages: { table: 'messages', id: 'id', session: 'chat_id', role: 'role', content: 'content', order: 'created_at' },
  },
  // ids: 'uuid',  // if your id columns are UUIDs: chatfuzz hands you UUIDs and maps them back in reports
  // What your app means, where it differs from the defaults (docs/app-semantics.md); every field is optional:
  // api: {
  //   sessions: {
  //     create: 'explicit',  // a message to a chat never created is refused (default 'implicit': the first message creates it)
  //     delete: { missing: 'refuse', afterDelete: 'refuse', soft: true },  // 404 for a missing chat, 410 after a delete, rows kept and flagged
  //   },
  //   input: { normalize: 'strip-nul' },  // content as you store it: 'strip-nul', 'trim' or (content) => stored
  //   messageIds: 'server',  // your server mints message ids: logMessage / handleChat resolve to { messageIds: [...] }
  // },
  // What you expect today, per scenario ('*' for the rest); a fix then shows as an unexpected pass.
  expect: { '*': 'pass' },
  create({ pool }) {
${CLIENT[d.stack]}
    throw new Error('chatfuzz/target.ts: wire your chat persistence code into createSession and logMessage and name your tables, then remove this line');
    return {
      async createSession({ sessionId, userId, title }) {},
      async logMessage({ sessionId, userId, messageId, role, content }) {},
      // Optional: async handleChat({ sessionId, userId, messages }) {},  // the session if new, then the last message
      // Optional: async deleteSession({ sessionId, userId }) {},  // judged: only the owner's delete removes anything
      // Refuse a request by throwing an Error without a SQLSTATE; a raw database error escaping is a finding.
      // Optional: async registerUsers(userIds) {},  // insert the users that exist before a trial
      // Optional, instead of \`tables\`: async snapshot({ userIds, sessionIds }) { return { users, sessions, messages }; },
    };
  },
});
`;
}

/** .github/workflows/chatfuzz.yml: the gate for this repository. */
export function workflowTemplate(): string {
  return `# chatfuzz: concurrency and property tests of the chat persistence code, on a real PostgreSQL
# (the embedded server chatfuzz starts itself). Fails on a cell that misses its expectation.
name: chatfuzz
on:
  pull_request:
  push:
    branches: [main]
jobs:
  chatfuzz:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    permissions:
      contents: read
      checks: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npx chatfuzz --ci
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: chatfuzz-report
          path: chatfuzz-report/
      - uses: mikepenz/action-junit-report@v5
        if: always()
        with:
          report_paths: chatfuzz-report/junit.xml
          check_name: chatfuzz
`;
}
