const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and for quoted attribute values (both quote styles). */
export function escapeHtml(s: string): string {
  // results.json is read back from disk, so a "string" may not be one; never let that throw mid-report.
  return String(s ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
