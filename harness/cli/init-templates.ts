import type { ProjectFacts } from './read-project.js';

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

const SCHEMA = (d: Detected) =>
  d.migrations
    ? `  // Applied to a fresh database for every cell, in your tool's order.\n  schema: { migrations: '${d.migrations}' },`
    : `  // Your DDL: { sql: '…' }, or { migrations: 'path' } (a .sql file, a Drizzle or Prisma migrations folder).\n  schema: { sql: 'CREATE TABLE …' },`;

const CLIENT: Record<Detected['stack'] | 'postgres.js', string> = {
  prisma: `    // Prisma 7: hand it the gated pool, so chatfuzz sees and schedules every statement.
    //   import { PrismaClient } from '@/generated/prisma/client';
    //   import { PrismaPg } from '@prisma/adapter-pg';
    //   const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });`,
  drizzle: `    // Drizzle on node-postgres: hand it the gated pool, so chatfuzz sees and schedules every statement.
    //   import { drizzle } from 'drizzle-orm/node-postgres';
    //   const db = drizzle(pool);`,
  // Not a stack: Drizzle or plain postgres.js, whose client the app builds itself (see targetTemplate).
  'postgres.js': `    // postgres.js: your app builds its client from the env variable named in \`env\` above, one per
    // logical client of a trial (each gets its own gated URL): load your own modules with ctx.load.
    //   const q = await ctx.load('../lib/db/queries.ts');  // relative to this file`,
  pg: `    // node-postgres: use \`pool\` wherever your code takes a Pool or a client.`,
};

/** chatfuzz/target.ts: for the detected stack and driver; with the chat tables found in the migrations, a skeleton that runs as written (its SQL to be replaced by the app's own functions), else one that says what to fill in. */
export function targetTemplate(d: Detected, facts?: ProjectFacts): string {
  if (facts?.tables) return runnableTemplate(d, facts);
  const client = facts?.driver === 'postgres.js' && d.stack !== 'prisma' ? 'postgres.js' : d.stack;
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
${CLIENT[client]}
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

// The tables found in the migrations, written as the target's `tables` and used by the skeleton's SQL.
function runnableTemplate(d: Detected, f: ProjectFacts): string {
  const t = f.tables!;
  const q = (n: string) => `"${n}"`;
  const insertSession = `INSERT INTO ${q(t.sessions.table)} (${q(t.sessions.id)}, ${q(t.sessions.owner)}) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
  const insertMessage = `INSERT INTO ${q(t.messages.table)} (${[t.messages.id, t.messages.session, t.messages.role, t.messages.content]
    .filter(Boolean)
    .map((c) => q(c!))
    .join(', ')}) VALUES (${t.messages.id ? '$1, $2, $3, $4' : '$1, $2, $3'}) ON CONFLICT DO NOTHING`;
  const messageParams = t.messages.id ? '[messageId, sessionId, role, content]' : '[sessionId, role, content]';
  const postgresJs = f.driver === 'postgres.js' && d.stack !== 'prisma';
  const variable = f.urlVariable ?? 'DATABASE_URL';
  const head = postgresJs
    ? `import postgres from 'postgres';
import { defineTarget } from 'chatfuzz';`
    : `import { defineTarget } from 'chatfuzz';`;
  const gate = postgresJs
    ? `  // Your app builds its postgres.js client from ${variable}: each logical client of a trial gets its own,
  // pointing at its own gated URL (the wire gate), so every statement is seen and scheduled.
  env: ['${variable}'],
`
    : '';
  const body = postgresJs
    ? `    // Replace this SQL with your own functions, loaded as your app runs them:
    //   const q = await ctx.load('../lib/db/queries.ts');  // relative to this file; its module-level client reads ${variable}
    const sql = postgres(ctx.databaseUrl, { max: 4, onnotice: () => {} });
    return {
      async createSession({ sessionId, userId }) {
        await sql.unsafe(${JSON.stringify(insertSession)}, [sessionId, userId]);
      },
      async logMessage({ sessionId, userId, messageId, role, content }) {
        await sql.unsafe(${JSON.stringify(insertSession)}, [sessionId, userId]);
        await sql.unsafe(${JSON.stringify(insertMessage)}, ${messageParams});
      },
      close: () => sql.end({ timeout: 1 }),
    };`
    : `${CLIENT[d.stack]}
    // Replace this SQL with your own functions, handed ctx.pool.
    const { pool } = ctx;
    return {
      async createSession({ sessionId, userId }) {
        await pool.query(${JSON.stringify(insertSession)}, [sessionId, userId]);
      },
      async logMessage({ sessionId, userId, messageId, role, content }) {
        await pool.query(${JSON.stringify(insertSession)}, [sessionId, userId]);
        await pool.query(${JSON.stringify(insertMessage)}, ${messageParams});
      },
    };`;
  return `// The adapter between chatfuzz and your persistence code, written by \`chatfuzz init\` from your
// migrations (${d.migrations}) and your ${postgresJs ? 'postgres.js' : d.stack === 'prisma' ? 'Prisma' : d.stack === 'drizzle' ? 'Drizzle (node-postgres)' : 'node-postgres'} setup. It runs as written; replace its SQL with
// your own functions without "fixing" them on the way.
${head}

export default defineTarget({
  name: 'my-app',
${SCHEMA(d)}
${gate}  // Where your rows live, as your migrations name them.
  tables: ${JSON.stringify(t, null, 2)
    .replace(/\n/g, '\n  ')
    .replace(/"(\w+)":/g, '$1:')
    .replace(/"/g, "'")},
${f.ids ? "  ids: 'uuid',  // your ids are UUIDs: chatfuzz hands you UUIDs and maps them back in reports\n" : ''}  expect: { '*': 'pass' },
  async create(ctx) {
${body}
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
