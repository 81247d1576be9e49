import fs from 'node:fs';
import path from 'node:path';
import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { configTemplate, targetTemplate, workflowTemplate, type Detected } from './init-templates.js';
import type { CliIo } from './cli-io.js';
import { readProject } from './read-project.js';

/** Looks at the project: which database client it uses and where its migrations are. */
export function detectProject(cwd: string): Detected {
  const has = (p: string) => fs.existsSync(path.join(cwd, p));
  const drizzleConfig = ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.json'].find(has);
  if (has('prisma/schema.prisma')) return { stack: 'prisma', ...(has('prisma/migrations') ? { migrations: 'prisma/migrations' } : {}) };
  if (drizzleConfig) {
    // drizzle-kit writes to `out` (default ./drizzle).
    const out = /\bout\s*:\s*['"]([^'"]+)['"]/.exec(fs.readFileSync(path.join(cwd, drizzleConfig), 'utf8'))?.[1] ?? 'drizzle';
    const dir = path.normalize(out).replace(/\/$/, '');
    return { stack: 'drizzle', ...(has(dir) ? { migrations: dir } : {}) };
  }
  return { stack: 'pg', ...(has('migrations') ? { migrations: 'migrations' } : {}) };
}

/** `chatfuzz init`: scaffolds a config, a target skeleton, a `fuzz` script and a CI workflow; never overwrites a file. */
export async function runInit(argv: string[], io: CliIo): Promise<number> {
  try {
    nodeParseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`chatfuzz init takes no options: ${(e as Error).message.split('\n')[0]}`);
  }
  const pkgFile = path.join(io.cwd, 'package.json');
  if (!fs.existsSync(pkgFile)) throw new UsageError(`chatfuzz init: no package.json in ${io.cwd}; run it in your project's root`);
  const detected = detectProject(io.cwd);
  const facts = readProject(io.cwd, detected.migrations);
  const say = (s: string) => io.stdout.write(s + '\n');
  say(
    `chatfuzz init: ${detected.stack} project on ${facts.prismaAdapter ?? facts.driver}${detected.migrations ? `, migrations in ${detected.migrations}` : ', no migrations folder found'}` +
      (facts.tables
        ? `; chat tables ${facts.tables.sessions.table} and ${facts.tables.messages.table}${facts.ids ? ' (uuid ids)' : ''}`
        : ''),
  );
  const files: [string, string][] = [
    ['chatfuzz.config.ts', configTemplate()],
    ['chatfuzz/target.ts', targetTemplate(detected, facts)],
    ['.github/workflows/chatfuzz.yml', workflowTemplate()],
  ];
  for (const [rel, text] of files) {
    const file = path.join(io.cwd, rel);
    if (fs.existsSync(file)) {
      say(`  skipped ${rel} (it exists)`);
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { flag: 'wx' });
    say(`  created ${rel}`);
  }
  // package.json gets a script added, nothing else: its formatting and every other key stay as they are.
  const raw = fs.readFileSync(pkgFile, 'utf8');
  const pkg = JSON.parse(raw);
  if (pkg.scripts?.fuzz !== undefined) {
    say(`  skipped the "fuzz" script in package.json (there is one: ${JSON.stringify(pkg.scripts.fuzz)})`);
  } else {
    pkg.scripts = { ...pkg.scripts, fuzz: 'chatfuzz' };
    const indent = /^[ \t]+(?=")/m.exec(raw)?.[0] ?? '  ';
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, indent) + (raw.endsWith('\n') ? '\n' : ''));
    say('  added the "fuzz" script to package.json');
  }
  addToGitignore(io.cwd, ['.chatfuzz/', `${REPORT_DIR}/`], say);
  say('next: fill in chatfuzz/target.ts, then run `npx chatfuzz` (or `npm run fuzz`)');
  return 0;
}

/** The report folder configTemplate() names. */
const REPORT_DIR = 'chatfuzz-report';

// chatfuzz's corpus and reports are not source: .gitignore gets the lines it lacks, nothing else changes.
function addToGitignore(cwd: string, entries: string[], say: (s: string) => void): void {
  const file = path.join(cwd, '.gitignore');
  const raw = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const have = new Set(raw.split(/\r?\n/).map((l) => l.trim().replace(/^\//, '')));
  const missing = entries.filter((e) => !have.has(e) && !have.has(e.replace(/\/$/, '')));
  if (!missing.length) return;
  fs.writeFileSync(file, raw + (raw && !raw.endsWith('\n') ? '\n' : '') + missing.join('\n') + '\n');
  say(`  added ${missing.join(' and ')} to .gitignore`);
}
