import { describe, expect, it } from 'vitest';
import { escapeHtml } from './escape-html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes an ampersand once, so existing entities stay visible as text', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('leaves other text, including non-ASCII, untouched', () => {
    expect(escapeHtml('héllo 👋 c1 → fail')).toBe('héllo 👋 c1 → fail');
  });

  it('does not throw on a non-string read back from JSON', () => {
    expect(escapeHtml(42 as unknown as string)).toBe('42');
    expect(escapeHtml(undefined as unknown as string)).toBe('');
  });
});
