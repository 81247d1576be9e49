import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { multiFailureResults, sampleResults } from './fixtures/sample-results.js';
import { applyBaseline, parseBaseline } from './baseline-diff.js';
import { renderJunit } from './render-junit.js';

// XML 1.0 Char production, minus what we never expect.
const ILLEGAL_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const REF = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;

/** A small XML 1.0 well-formedness check: legal characters, balanced tags, quoted attributes, valid references, one root. */
function wellFormedness(xml: string): string | null {
  if (ILLEGAL_CHAR.test(xml)) return 'illegal character';
  let i = 0;
  const stack: string[] = [];
  let roots = 0;
  const at = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(xml);
    if (!m) return null;
    i = re.lastIndex;
    return m[0];
  };
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  const checkRefs = (s: string): boolean => {
    for (let j = s.indexOf('&'); j >= 0; j = s.indexOf('&', j + 1)) {
      REF.lastIndex = j;
      if (!REF.exec(s)) return false;
    }
    return true;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return 'unterminated prolog';
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (!stack.length && text.trim()) return `text outside the root: ${JSON.stringify(text.slice(0, 40))}`;
    if (!checkRefs(text)) return `bad reference in text near ${JSON.stringify(text.slice(0, 40))}`;
    if (text.includes(']]>')) return ']]> in text';
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return 'unterminated comment';
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (!stack.length) return 'CDATA outside the root';
      const end = xml.indexOf(']]>', i);
      if (end < 0) return 'unterminated CDATA';
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i);
      if (end < 0) return 'unterminated processing instruction';
      i = end + 2;
    } else if (xml.startsWith('</', i)) {
      i += 2;
      const name = at(NAME);
      skipSpace();
      if (!name || xml[i] !== '>') return `bad end tag at ${i}`;
      i++;
      const open = stack.pop();
      if (open !== name) return `</${name}> closes <${open}>`;
    } else {
      i++;
      const name = at(NAME);
      if (!name) return `bad start tag at ${i}`;
      const seen = new Set<string>();
      for (;;) {
        const before = i;
        skipSpace();
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (i === before) return `missing space before attribute in <${name}>`;
        const attr = at(NAME);
        if (!attr) return `bad attribute in <${name}> at ${i}`;
        if (seen.has(attr)) return `duplicate attribute ${attr}`;
        seen.add(attr);
        skipSpace();
        if (xml[i] !== '=') return `attribute ${attr} without value`;
        i++;
        skipSpace();
        const q = xml[i];
        if (q !== '"' && q !== "'") return `unquoted attribute ${attr}`;
        const end = xml.indexOf(q, i + 1);
        if (end < 0) return `unterminated attribute ${attr}`;
        const value = xml.slice(i + 1, end);
        if (value.includes('<')) return `< in attribute ${attr}`;
        if (!checkRefs(value)) return `bad reference in attribute ${attr}`;
        i = end + 1;
      }
      if (!stack.length) roots++;
      if (roots > 1) return 'more than one root element';
      if (xml.startsWith('/>', i)) i += 2;
      else {
        i++;
        stack.push(name);
      }
    }
  }
  if (stack.length) return `unclosed <${stack.at(-1)}>`;
  if (roots !== 1) return 'no root element';
  return null;
}

const hasXmllint = spawnSync('sh', ['-c', 'command -v xmllint'], { encoding: 'utf8' }).status === 0;

function expectWellFormed(xml: string): void {
  expect(wellFormedness(xml)).toBeNull();
  if (hasXmllint) execFileSync('xmllint', ['--noout', '-'], { input: xml });
}

describe('XML well-formedness check used by these tests', () => {
  it('accepts well-formed XML and rejects the usual breakage', () => {
    expect(wellFormedness('<?xml version="1.0"?>\n<a x="1 &amp; 2"><b/>t &lt; &#10;</a>\n')).toBeNull();
    expect(wellFormedness('<a><b></a></b>')).not.toBeNull();
    expect(wellFormedness('<a>&</a>')).not.toBeNull();
    expect(wellFormedness('<a x="<"/>')).not.toBeNull();
    expect(wellFormedness('<a x=1/>')).not.toBeNull();
    expect(wellFormedness('<a>\u0000</a>')).not.toBeNull();
    expect(wellFormedness('<a/><b/>')).not.toBeNull();
    expect(wellFormedness('<a>')).not.toBeNull();
  });
});

describe('renderJunit', () => {
  it('is well-formed XML', () => {
    expectWellFormed(renderJunit(sampleResults()));
  });

  it('has one testsuite named chatfuzz and exactly one testcase per cell', () => {
    const r = sampleResults();
    const xml = renderJunit(r);
    expect(xml.match(/<testsuite\b/g)).toHaveLength(1);
    expect(xml).toContain('<testsuite name="chatfuzz"');
    expect(xml.match(/<testcase\b/g)).toHaveLength(r.cells.length);
    expect(xml).toContain('<testcase classname="naive" name="log-before-create [scheduled]" time="0.812"');
  });

  it('carries one <failure> per cell that missed its expectation, and counts them', () => {
    const r = sampleResults();
    const xml = renderJunit(r);
    const notOk = r.cells.filter((c) => !c.ok).length;
    expect(notOk).toBe(2);
    expect(xml.match(/<failure\b/g)).toHaveLength(notOk);
    expect(xml).toContain(`failures="${notOk}"`);
    expect(xml).toContain(`tests="${r.cells.length}"`);
    expect(xml).toContain('<failure message="expected fail but passed"');
  });

  it('puts invariant, message, sqlstate, op labels and the replay command in the failure text', () => {
    const r = sampleResults();
    r.cells[0]!.expected = 'pass';
    r.cells[0]!.ok = false;
    const xml = renderJunit(r);
    const failure = /<failure [^>]*>([^]*?)<\/failure>/.exec(xml)![1]!;
    expect(failure).toContain('invariant: no-fk-error');
    expect(failure).toContain('sqlstate: 23503');
    expect(failure).toContain('constraint: chat_messages_session_id_fkey');
    expect(failure).toContain('c1 handleChat(s1, [system,user], m2, u1)@c1 → fail 23503 chat_messages_session_id_fkey');
    expect(failure).toContain('c2 createSession(s1, u1)@c2 → ok');
    expect(failure).toContain(`replay: ${r.cells[0]!.failure!.replay}`);
  });

  it('escapes hostile content', () => {
    const xml = renderJunit(sampleResults());
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expectWellFormed(xml);
  });

  it('strips characters XML 1.0 cannot carry: NUL, other C0 controls, lone surrogates', () => {
    const r = sampleResults();
    const f = r.cells[1]!.failure!;
    f.message = 'nul\u0000 esc\u001b bell\u0007 lone\uD800 low\uDC00 ok😀 tab\tend';
    f.counterexample.ops[0]!.label = 'label\u0000\u000b';
    r.cells[2]!.target = 'tar\u0000get';
    const xml = renderJunit(r);
    expect(xml).not.toContain('\u0000');
    expect(xml).not.toMatch(ILLEGAL_CHAR);
    expect(xml).toContain('ok😀');
    expect(xml).toContain('classname="target"');
    expectWellFormed(xml);
  });

  it('reports a cell error as a failure with the error text', () => {
    const r = sampleResults();
    r.cells[3] = { ...r.cells[3]!, outcome: 'fail', ok: false, error: 'snapshot threw: "x" & <y>' };
    const xml = renderJunit(r);
    expect(xml.match(/<failure\b/g)).toHaveLength(3);
    expect(xml).toContain('message="cell error: snapshot threw: &quot;x&quot; &amp; &lt;y&gt;"');
    expectWellFormed(xml);
  });

  it('puts a multi-line message on one line in the failure attribute', () => {
    const r = sampleResults();
    r.cells[1]!.failure!.message = 'line one\nline two';
    const xml = renderJunit(r);
    expect(xml).toMatch(/message="no-db-error: line one line two/);
    expectWellFormed(xml);
  });

  it('against a baseline: a gated new failure is a <failure> even when expected, and every testcase says how it compares', () => {
    const r = sampleResults();
    const base = JSON.parse(JSON.stringify(r));
    base.cells[0].outcome = 'pass'; // naive/log-before-create passed in the baseline
    const gated = renderJunit(applyBaseline(r, parseBaseline(base, 'b.json'), { file: 'b.json', gate: true }));
    expectWellFormed(gated);
    expect(gated.match(/<testcase\b/g)).toHaveLength(r.cells.length);
    expect(gated.match(/<failure\b/g)).toHaveLength(3);
    expect(gated).toContain('failures="3"');
    expect(gated).toMatch(
      /<testcase classname="naive" name="log-before-create \[scheduled\]"[^>]*>\s*<failure message="new failure since the baseline: no-fk-error/,
    );
    expect(gated).toContain('<property name="baseline" value="b.json (run 2025-11-23T15-50-00-seed42)"/>');
    const view = renderJunit(applyBaseline(r, parseBaseline(base, 'b.json'), { file: 'b.json', gate: false }));
    expect(view.match(/<failure\b/g)).toHaveLength(2);
    expect(view).toContain('baseline: new-failure</system-out>');
    expect(view).toContain('baseline: unchanged</system-out>');
  });

  it('puts every distinct failure of a cell in its one <failure>, each with its own replay, and names them in the message', () => {
    const r = multiFailureResults();
    r.cells[0]!.expected = 'pass';
    r.cells[0]!.ok = false;
    const xml = renderJunit(r);
    expectWellFormed(xml);
    expect(xml.match(/<testcase\b/g)).toHaveLength(r.cells.length);
    const [message, text] =
      /<testcase classname="naive" name="log-before-create \[scheduled\]"[^>]*>\s*<failure message="([^"]*)"[^>]*>([^]*?)<\/failure>/
        .exec(xml)!
        .slice(1);
    expect(message).toMatch(/^no-fk-error: .* \(and 1 more distinct failure: no-db-error 23505 on chat_sessions_pkey\)$/);
    expect(text).toContain(`replay: ${r.cells[0]!.failures![0]!.replay}`);
    expect(text).toContain('distinct failure 2 of 2:\ninvariant: no-db-error\n');
    expect(text).toContain('constraint: chat_sessions_pkey');
    expect(text).toContain(`replay: ${r.cells[0]!.failures![1]!.replay}`);
    expect(text).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
  });

  it('lists further failures of an expected failure and the muted findings that showed in the testcase output', () => {
    const xml = renderJunit(multiFailureResults());
    expectWellFormed(xml);
    const out = (cell: string) =>
      new RegExp(`<testcase classname="[^"]*" name="${cell} \\[scheduled\\]"[^>]*>[^]*?<system-out>([^]*?)</system-out>`).exec(xml)?.[1] ??
      '';
    expect(out('log-before-create')).toContain('also: no-db-error 23505 on chat_sessions_pkey — ');
    expect(out('log-before-create')).not.toContain('muted:');
    expect(xml).toContain('muted: valid-calls-succeed 22021 (1 trial)');
    expect(xml).toMatch(
      /<testcase classname="session-first" name="hostile-input \[scheduled\]"[^>]*>\s*<system-out>muted: no-db-error 23505 on chat_sessions_pkey \(12 trials\) — known, see #123 &lt;script&gt;/,
    );
  });
});
