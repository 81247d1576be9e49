import { UuidMap } from '../contract/uuid-ids.js';
import type { IdFormat, Snapshot } from '../contract/define-target.js';

/** Harness ids (`t3_s1`) as the target sees them, and back: identity for text ids, UUID v5 for `ids: 'uuid'`. */
export interface IdCodec {
  /** The id handed to the target for a harness id. */
  encode(id: string): string;
  /** A text (an id, an error message) with every id the target was handed turned back into the harness's. */
  decode(text: string): string;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TEXT: IdCodec = { encode: (id) => id, decode: (text) => text };

/** The codec of a target's declared id format; UUIDs it never handed out are left as they are. */
export function idCodec(format: IdFormat | undefined): IdCodec {
  if (format !== 'uuid') return TEXT;
  const ids = new UuidMap();
  return { encode: (id) => ids.uuid(id), decode: (text) => text.replace(UUID, (u) => ids.id(u.toLowerCase())) };
}

/** A snapshot the target read in its own ids, in the harness's. */
export function decodeSnapshot(s: Snapshot, codec: IdCodec): Snapshot {
  if (codec === TEXT) return s;
  const d = codec.decode;
  return {
    users: s.users.map((u) => ({ ...u, id: d(u.id) })),
    sessions: s.sessions.map((x) => ({ ...x, id: d(x.id), userId: d(x.userId) })),
    messages: s.messages.map((m) => ({ ...m, ...(m.id !== undefined ? { id: d(m.id) } : {}), sessionId: d(m.sessionId) })),
  };
}
