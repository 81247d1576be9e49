/** A call's leaks in words for its CallRecord (`kept 2 connections checked out and left a transaction open`), or undefined when it leaked nothing. */
export function describeLeak(leaks: { held: number; openTransaction: boolean }): string | undefined {
  const parts: string[] = [];
  if (leaks.held > 0) parts.push(`kept ${leaks.held} connection${leaks.held === 1 ? '' : 's'} checked out`);
  if (leaks.openTransaction) parts.push('left a transaction open');
  return parts.length ? parts.join(' and ') : undefined;
}
