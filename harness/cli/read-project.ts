import fs from 'node:fs';
import path from 'node:path';
import type { TableMap } from '../contract/define-target.js';
import { readMigrations } from '../db/read-migrations.js';

/** What `chatfuzz init` reads in a project besides its stack: the driver it really uses, its tables and its id type. */
export interface ProjectFacts {
  /** The PostgreSQL driver under the ORM (or alone): postgres.js or node-postgres. */
  driver: 'postgres.js' | 'pg';
  /** Prisma's adapter package when Prisma runs over one (`@prisma/adapter-pg`, `@prisma/adapter-neon`, …). */
  prismaAdapter?: string;
  /** The environment variable the app's database URL comes from, when its source names one. */
  urlVariable?: string;
  /** Sessions, messages (and users) as the migrations name them; undefined when they do not say. */
  tables?: TableMap;
  /** 'uuid' when the sessions table's id column is a uuid. */
  ids?: 'uuid';
}

/** Reads package.json, the source's imports and the migrations (best effort: nothing here throws on a project it does not understand). */
export function readProject(cwd: string, migrations?: string): ProjectFacts {
  const pkg = readJson(path.join(cwd, 'package.json'));
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies } as Record<string, string>;
  const source = sourceText(cwd);
  // Drizzle says which driver in its import path; otherwise the installed driver decides (postgres.js when only it is there).
  const usesPostgresJs =
    /from\s+['"]drizzle-orm\/postgres-js['"]|from\s+['"]postgres['"]|require\(['"]postgres['"]\)/.test(source) ||
    (deps.postgres !== undefined && deps.pg === undefined);
  const prismaAdapter = Object.keys(deps).find((d) => d.startsWith('@prisma/adapter-'));
  const urlVariable = /process\.env\.(POSTGRES_URL|DATABASE_URL|[A-Z_]*DATABASE_URL|[A-Z_]*POSTGRES_URL)\b/.exec(source)?.[1];
  let tables: TableMap | undefined;
  let ids: 'uuid' | undefined;
  if (migrations) {
    try {
      const found = tablesIn(
        readMigrations(path.join(cwd, migrations))
          .flatMap((m) => m.statements)
          .join('\n'),
      );
      tables = found.tables;
      ids = found.ids;
    } catch {
      /* the migrations do not parse: the skeleton keeps placeholders */
    }
  }
  return {
    driver: usesPostgresJs && !(prismaAdapter === '@prisma/adapter-pg') ? 'postgres.js' : 'pg',
    ...(prismaAdapter ? { prismaAdapter } : {}),
    ...(urlVariable ? { urlVariable } : {}),
    ...(tables ? { tables } : {}),
    ...(ids ? { ids } : {}),
  };
}

type Column = { name: string; type: string };

/** The chat tables among CREATE TABLE statements, by their names and their columns' names. */
export function tablesIn(sql: string): { tables?: TableMap; ids?: 'uuid' } {
  const tables = new Map<string, Column[]>();
  for (const m of sql.matchAll(/CREATE TABLE(?: IF NOT EXISTS)?\s+((?:"?\w+"?\.)?"?(\w+)"?)\s*\(([\s\S]*?)\);/gi)) {
    const cols: Column[] = [];
    for (const line of splitTopLevel(m[3]!)) {
      const c = /^\s*"?(\w+)"?\s+([\w ]+?)(?:\(|\s|,|$)/.exec(line);
      if (c && !/^(CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK)$/i.test(c[1]!)) cols.push({ name: c[1]!, type: c[2]!.toLowerCase() });
    }
    tables.set(m[2]!, cols);
  }
  const names = [...tables.keys()];
  const pick = (re: RegExp, not?: RegExp) => names.find((n) => re.test(n) && !(not && not.test(n)));
  const messages = pick(/message/i);
  const sessions =
    pick(/^(chats?|sessions?|conversations?|threads?)$/i) ??
    pick(/chat|session|conversation|thread/i, /message|vote|stream|document|suggest/i);
  const users = pick(/^(users?|accounts?|profiles?)$/i);
  if (!messages || !sessions) return {};
  const col = (t: string, re: RegExp) => tables.get(t)!.find((c) => re.test(c.name))?.name;
  const sCols = { id: col(sessions, /^id$/i), owner: col(sessions, /^(user_?id|owner_?id|author_?id)$/i) };
  const mCols = {
    id: col(messages, /^id$/i),
    session: col(messages, /^(chat|session|conversation|thread)_?id$/i),
    role: col(messages, /^role$/i),
    content: col(messages, /^(content|text|body|parts)$/i),
    order: col(messages, /^(seq|position|created_?at|createdAt)$/i),
  };
  if (!sCols.id || !sCols.owner || !mCols.session || !mCols.role || !mCols.content || !mCols.order) return {};
  const userId = users ? col(users, /^id$/i) : undefined;
  const uuid = /uuid/.test(tables.get(sessions)!.find((c) => c.name === sCols.id)!.type);
  return {
    tables: {
      ...(users && userId ? { users: { table: users, id: userId } } : {}),
      sessions: { table: sessions, id: sCols.id, owner: sCols.owner },
      messages: {
        table: messages,
        ...(mCols.id ? { id: mCols.id } : {}),
        session: mCols.session,
        role: mCols.role,
        content: mCols.content,
        order: mCols.order,
      },
    },
    ...(uuid ? { ids: 'uuid' as const } : {}),
  };
}

function splitTopLevel(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  return [...out, cur];
}

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

// The app's own source (not node_modules, not build output), at most a few hundred files, for its imports.
function sourceText(cwd: string): string {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || out.length > 400) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || ['node_modules', 'dist', 'build', 'out', 'coverage', 'chatfuzz-report'].includes(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (/\.(c|m)?(t|j)sx?$/.test(e.name) && fs.statSync(p).size < 200_000) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  try {
    walk(cwd, 0);
  } catch {
    /* unreadable folders are skipped */
  }
  return out.join('\n');
}
