import { storedMessages, type CallRecord, type History } from '../history/history.js';
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
 * Matches by id; by content only for rows without ids, and only for contents that belong to
 * a single message of the trial (clients repeat "ok": content alone does not tell two such
 * messages apart, so checks that need to tell stay silent rather than guess).
 */
export function messageMatcher(history: Pick<History, 'calls'>): MessageMatcher {
  const ids = new Map<string, Set<string>>();
  for (const c of history.calls) for (const m of storedMessages(c)) {
    const set = ids.get(m.content) ?? new Set<string>();
    set.add(m.messageId);
    ids.set(m.content, set);
  }
  const unique = (m: Message) => (ids.get(m.content)?.size ?? 1) <= 1;
  const is = (row: Row, m: Message) => (row.id !== undefined ? row.id === m.messageId : unique(m) && row.content === m.content);
  return {
    is,
    ownerOf(content) {
      const set = ids.get(content);
      return set?.size === 1 ? [...set][0] : undefined;
    },
    find(snapshot, m) {
      const rows = snapshot.messages.filter((row) => is(row, m));
      if (rows.length === 0 && !unique(m) && snapshot.messages.some((row) => row.id === undefined && row.content === m.content)) return undefined;
      return rows;
    },
  };
}
