import { expectedContent, storedMessages, type CallRecord, type History } from '../history/history.js';
import type { Snapshot } from '../contract/define-target.js';

type Row = Snapshot['messages'][number];
type Message = NonNullable<CallRecord['message']>;

/** Tells which snapshot rows are a given message of the trial. */
export interface MessageMatcher {
  /** Row `row` is message `m`: by id when the row has one, else by content when no other message of the trial has that content. */
  is(row: Row, m: Message): boolean;
  /** The rows that are `m`, or undefined when rows without ids cannot tell it from another message with the same content. */
  find(snapshot: Snapshot, m: Message): Row[] | undefined;
  /** The one message of the trial with this content, or undefined when none or several have it. */
  ownerOf(content: string): string | undefined;
}

/**
 * With server-minted ids (semantics.messageIds 'server') a message that got its id back is
 * matched by that id only, so repeated contents are still told apart; one without (a call
 * that failed or timed out) falls back to content like an id-less row. Contents are compared
 * as the app declared it stores them (expectedContent).
 * Otherwise matches by id; by content only for rows without ids, and only for contents that belong to
 * a single message of the trial (clients repeat "ok": content alone does not tell two such
 * messages apart, so checks that need to tell stay silent rather than guess).
 */
export function messageMatcher(history: Pick<History, 'calls' | 'semantics'>): MessageMatcher {
  const ids = new Map<string, Set<string>>();
  for (const c of history.calls)
    for (const m of storedMessages(c)) {
      const set = ids.get(expectedContent(m)) ?? new Set<string>();
      set.add(m.messageId);
      ids.set(expectedContent(m), set);
    }
  const server = history.semantics?.messageIds === 'server';
  const unique = (m: Message) => (ids.get(expectedContent(m))?.size ?? 1) <= 1;
  const byContent = (row: Row, m: Message) => unique(m) && row.content === expectedContent(m);
  const is = server
    ? (row: Row, m: Message) => (m.serverId !== undefined ? row.id === m.serverId : byContent(row, m))
    : (row: Row, m: Message) => (row.id !== undefined ? row.id === m.messageId : byContent(row, m));
  return {
    is,
    ownerOf(content) {
      const set = ids.get(content);
      return set?.size === 1 ? [...set][0] : undefined;
    },
    find(snapshot, m) {
      const rows = snapshot.messages.filter((row) => is(row, m));
      const ambiguous = (row: Row) => (server ? m.serverId === undefined : row.id === undefined) && row.content === expectedContent(m);
      if (rows.length === 0 && !unique(m) && snapshot.messages.some(ambiguous)) return undefined;
      return rows;
    },
  };
}
