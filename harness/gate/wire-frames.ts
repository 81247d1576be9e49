// The PostgreSQL wire protocol (v3) as the proxy needs it: message framing and the few fields it
// reads. Hand-written rather than pg-protocol's parser because the proxy forwards every message
// byte for byte and must know where each one ends; pg-protocol consumes a stream and rebuilds
// messages, and has no parser for the frontend side at all.
import pg from 'pg';

/** One protocol message: its type byte and the whole frame (type, length and body) as received. */
export interface Frame {
  type: string;
  frame: Buffer;
  body: Buffer;
}

/** Splits a byte stream into protocol messages (type byte + int32 length), across chunk boundaries. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Appends a chunk and returns every message it completes. */
  push(chunk: Buffer): Frame[] {
    this.append(chunk);
    const out: Frame[] = [];
    let at = 0;
    while (this.buf.length - at >= 5) {
      const len = this.buf.readInt32BE(at + 1);
      if (this.buf.length - at < 1 + len) break;
      const frame = this.buf.subarray(at, at + 1 + len);
      out.push({ type: String.fromCharCode(frame[0]!), frame, body: frame.subarray(5) });
      at += 1 + len;
    }
    this.buf = this.buf.subarray(at);
    return out;
  }

  /** Appends a chunk without framing it (the startup phase reads untyped packets). */
  append(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
  }

  /** Takes one length-prefixed packet without a type byte (the startup phase), or undefined until it is complete. */
  takeUntyped(): Buffer | undefined {
    if (this.buf.length < 4) return undefined;
    const len = this.buf.readInt32BE(0);
    if (this.buf.length < len) return undefined;
    const packet = this.buf.subarray(0, len);
    this.buf = this.buf.subarray(len);
    return packet;
  }

  /** Bytes received and not yet framed (handed on when the proxy stops framing). */
  rest(): Buffer {
    const r = this.buf;
    this.buf = Buffer.alloc(0);
    return r;
  }
}

/** Startup-phase request codes (the int32 after the length). */
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** Reads the NUL-terminated strings of a message body from `offset`. */
export function cstrings(body: Buffer, offset = 0, count = Infinity): string[] {
  const out: string[] = [];
  let at = offset;
  while (out.length < count && at < body.length) {
    const end = body.indexOf(0, at);
    if (end < 0) break;
    out.push(body.toString('utf8', at, end));
    at = end + 1;
  }
  return out;
}

/** The row count a CommandComplete tag reports (`INSERT 0 3` → 3, `UPDATE 2` → 2), or null for tags without one (`BEGIN`). */
export function commandRowCount(tag: string): number | null {
  const m = /^(?:INSERT \d+|UPDATE|DELETE|SELECT|MOVE|FETCH|COPY|MERGE) (\d+)$/.exec(tag);
  return m ? Number(m[1]) : null;
}

// ErrorResponse field codes → the names pg.DatabaseError uses, so errors seen on the wire classify like the pool gate's.
const FIELDS: Record<string, string> = {
  S: 'severity',
  V: 'severity',
  C: 'code',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};

/** Decodes an ErrorResponse body into the DatabaseError node-postgres would have thrown. */
export function decodeError(body: Buffer): pg.DatabaseError {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const code = String.fromCharCode(body[at]!);
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields[code] = body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  const err = new pg.DatabaseError(fields.M ?? 'unknown server error', body.length, 'error');
  for (const [code, value] of Object.entries(fields)) {
    const name = FIELDS[code];
    if (name && !(code === 'S' && fields.V)) (err as any)[name] = value;
  }
  return err;
}

/** A simple Query message for `sql`. */
export function queryFrame(sql: string): Buffer {
  const text = Buffer.from(sql + '\0', 'utf8');
  const head = Buffer.alloc(5);
  head.write('Q', 0, 'latin1');
  head.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([head, text]);
}
