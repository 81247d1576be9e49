// Text the three renderers (console, HTML, JUnit) and the progress lines share, so a finding,
// an error code or a duration reads the same in every report.
import type { ErrorInfo } from '../harness/history/classify-error.js';
import type { CellFailure, CellResult, MutedFinding } from '../harness/run/results.js';

/** `s` cut to `max` characters with `…`, and with `count` how many were cut (`… (12 more chars)`). */
export function clip(s: string | undefined | null, max: number, opts: { count?: boolean } = {}): string {
  const v = String(s ?? '');
  if (v.length <= max) return v;
  return opts.count ? `${v.slice(0, max)}… (${v.length - max} more chars)` : `${v.slice(0, max)}…`;
}

/** What a finding is, in one phrase: `no-db-error P2002/23505 on chat_sessions_pkey`. */
export function findingText(
  f: Pick<CellFailure | MutedFinding, 'invariant' | 'sqlstate' | 'constraint'> & { prismaCode?: string },
): string {
  const code = [f.prismaCode, f.sqlstate].filter(Boolean).join('/');
  return `${f.invariant}${code ? ` ${code}` : ''}${f.constraint ? ` on ${f.constraint}` : ''}`;
}

/** The code a failed call's error is known by: its SQLSTATE, else its Prisma code, else its kind (with the SQLSTATE of its cause). */
export function errorCode(e: ErrorInfo): string {
  return e.sqlstate ?? e.prismaCode ?? (e.causeSqlstate ? `${e.kind} (cause ${e.causeSqlstate})` : e.kind);
}

/** A duration for people: `812 ms`, `1.2 s`, `3 min 0 s`; `—` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  // Round once, so 2 min 59.6 s reads 3 min 0 s, not 2 min 60 s.
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `also: no-db-error 23505 on chat_sessions_pkey — 2 calls — replay: …`, one per distinct failure after the first. */
export function alsoLines(cell: CellResult): string[] {
  return (cell.failures ?? []).slice(1).map((f) => {
    const calls = f.counterexample?.ops?.length ?? 0;
    return `also: ${findingText(f)} — ${calls} call${calls === 1 ? '' : 's'} — replay: ${f.replay}`;
  });
}

/** `muted: valid-calls-succeed 23505 (12 trials) — known, see #123`, for each known finding that showed; the note cut to `maxNote`. */
export function mutedLines(cell: CellResult, maxNote = Infinity): string[] {
  return (cell.muted ?? [])
    .filter((m) => m.trials > 0)
    .map((m) => `muted: ${findingText(m)} (${m.trials} trial${m.trials === 1 ? '' : 's'})${m.note ? ` — ${clip(m.note, maxNote)}` : ''}`);
}
