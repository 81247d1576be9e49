import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { readProject, tablesIn } from './read-project.js';
import { runInit } from './run-init.js';

// An app shaped like vercel/ai-chatbot: Drizzle over postgres.js, its client built from POSTGRES_URL, uuid ids, camelCase columns.
const MIGRATION = `CREATE TABLE IF NOT EXISTS "User" ("id" uuid PRIMARY KEY NOT NULL, "email" varchar(64));
CREATE TABLE IF NOT EXISTS "Chat" ("id" uuid PRIMARY KEY NOT NULL, "createdAt" timestamp DEFAULT now() NOT NULL, "userId" uuid NOT NULL REFERENCES "User"("id"));
CREATE TABLE IF NOT EXISTS "Vote" ("chatId" uuid NOT NULL, "messageId" uuid NOT NULL, "isUpvoted" boolean NOT NULL);
CREATE TABLE IF NOT EXISTS "Message_v2" ("id" uuid PRIMARY KEY NOT NULL, "chatId" uuid NOT NULL REFERENCES "Chat"("id"), "role" varchar NOT NULL, "parts" text NOT NULL, "createdAt" timestamp DEFAULT clock_timestamp() NOT NULL);
`;

function aiChatbot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-init-'));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'ai-chatbot', dependencies: { 'drizzle-orm': '*', postgres: '*' } }, null, 2),
    'drizzle.config.ts': "export default { out: './lib/db/migrations' };",
    'lib/db/migrations/0000_init.sql': MIGRATION,
    'lib/db/queries.ts':
      "import { drizzle } from 'drizzle-orm/postgres-js';\nimport postgres from 'postgres';\nconst client = postgres(process.env.POSTGRES_URL!);\nexport const db = drizzle(client);\n",
  };
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  // As `npm install chatfuzz` would leave it.
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.resolve('.'), path.join(dir, 'node_modules/chatfuzz'));
  fs.symlinkSync(path.resolve('node_modules/postgres'), path.join(dir, 'node_modules/postgres'));
  return dir;
}

describe('chatfuzz init reads the project', () => {
  it('finds the driver really used (postgres.js under Drizzle), the URL variable, the chat tables and their uuid ids', () => {
    const dir = aiChatbot();
    expect(readProject(dir, 'lib/db/migrations')).toEqual({
      driver: 'postgres.js',
      urlVariable: 'POSTGRES_URL',
      ids: 'uuid',
      tables: {
        users: { table: 'User', id: 'id' },
        sessions: { table: 'Chat', id: 'id', owner: 'userId' },
        messages: { table: 'Message_v2', id: 'id', session: 'chatId', role: 'role', content: 'parts', order: 'createdAt' },
      },
    });
  });

  it('leaves tables unset when the migrations hold no chat tables', () => {
    expect(tablesIn('CREATE TABLE "Invoice" ("id" int);')).toEqual({});
  });

  it('writes a skeleton that loads and runs (scheduled, through the wire gate), and adds .chatfuzz/ and the report folder to .gitignore', async () => {
    const dir = aiChatbot();
    fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => {
      out += d;
    });
    expect(await runInit([], { stdout, stderr: new PassThrough(), env: {}, cwd: dir })).toBe(0);
    expect(out).toContain('drizzle project on postgres.js, migrations in lib/db/migrations; chat tables Chat and Message_v2 (uuid ids)');
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.chatfuzz/\nchatfuzz-report/\n');
    const target = fs.readFileSync(path.join(dir, 'chatfuzz/target.ts'), 'utf8');
    expect(target).toContain("env: ['POSTGRES_URL']");
    expect(target).not.toContain('node-postgres');
    const prev = process.cwd();
    process.chdir(dir);
    try {
      const cell = await runTestCell(path.join(dir, 'chatfuzz/target.ts'), 'concurrent-duplicates', {
        mode: 'scheduled',
        runs: 5,
        seed: 1,
      });
      expect({ gate: cell.gate, outcome: cell.outcome, failure: cell.failure?.message }).toEqual({
        gate: 'wire',
        outcome: 'pass',
        failure: undefined,
      });
    } finally {
      process.chdir(prev);
    }
  });
});
