import net from 'node:net';
import type pg from 'pg';
import type { CallContext } from './call-context.js';
import type { StatementGate, StatementInfo } from './statement-gate.js';
import {
  CANCEL_REQUEST,
  FrameReader,
  GSSENC_REQUEST,
  SSL_REQUEST,
  commandRowCount,
  cstrings,
  decodeError,
  queryFrame,
  type Frame,
} from './wire-frames.js';

/** What a proxied connection asks of its proxy: the server to reach, the current gate and who sends on this connection now. */
export interface WireConnectionHost {
  upstream: { host: string; port: number };
  gate(): StatementGate | undefined;
  /** The call this connection's statements belong to right now (undefined: not part of a call). */
  attribute(): CallContext | undefined;
  /** The connection ended; `calls` are the calls whose statements it still held (queued or unanswered). */
  closed(conn: WireConnection, calls: number[]): void;
}

/** Messages a client sends in one go and the proxy gates as one statement. */
interface Unit {
  frames: Buffer[];
  sql: string;
  /** It runs something (a Query or an Execute): only such units are gated. */
  executes: boolean;
  /** 'sync' and 'query' units end with ReadyForQuery; a 'flush' unit once every message has been answered. */
  end: 'sync' | 'flush' | 'query';
  ctx?: CallContext;
}

/** Who receives the backend's replies to one unit (or to a query of the harness's own). */
interface Consumer {
  /** Replies still owed by a flush unit (answers to Parse, Bind, Describe, Execute, Close). */
  owed: number;
  end: Unit['end'];
  /** Replies are held until the gate lets the target see them (a kill after the statement drops them). */
  held: Buffer[] | null;
  /** The harness's own query: nothing is forwarded to the client. */
  own: boolean;
  rowCount: number | null;
  error?: pg.DatabaseError;
  /** The call whose statement this answers. */
  call?: number;
  done: (ok: boolean) => void;
}

// Driver housekeeping touches no chat data: catalog reads (postgres.js fetches array types on a
// new connection) and session settings. Gating them would give a call more statements on a fresh
// connection than on a reused one, and a replay on a warm pool a different schedule.
const HOUSEKEEPING = /^\s*(SET|SHOW|RESET|DISCARD|DEALLOCATE)\b|\bpg_(catalog|type|namespace|attribute|class|proc|settings|range|enum)\b/i;

/** Replies that finish one message of a flush unit. */
const ANSWERS = new Set(['1', '2', '3', 'T', 'n', 'C', 'I', 's']);

/**
 * One client connection through the proxy: startup and authentication pass through untouched,
 * then every Query, and every extended-protocol batch up to its Sync or Flush, is a unit handed
 * to the gate as one statement; units of one connection are released in the order they came.
 */
export class WireConnection {
  /** The backend's process id (BackendKeyData), which blocked detection and kills use. */
  pid: number | undefined;
  /** The transaction status of the last ReadyForQuery: I idle, T in a transaction, E in a failed one. */
  txStatus: 'I' | 'T' | 'E' = 'I';
  /** The call whose statement opened the transaction the connection is in. */
  txOpener: number | undefined;
  /** Resolves once the client's side of the connection is closed. */
  readonly ended: Promise<void>;

  private backend: net.Socket | undefined;
  private phase: 'startup' | 'auth' | 'ready' | 'closed' = 'startup';
  private readonly fromClient = new FrameReader();
  private readonly fromBackend = new FrameReader();
  private readonly statements = new Map<string, string>();
  private batch: Unit | undefined;
  private readonly queue: Unit[] = [];
  private busy = false;
  private readonly consumers: Consumer[] = [];
  /** A flush unit parsed the unnamed statement and no Sync followed yet: a Query now would discard it. */
  private unnamedOpen = false;
  /** After an error in an extended batch the server skips everything up to the next Sync. */
  private skipping = false;
  private endedResolve!: () => void;

  constructor(
    private readonly client: net.Socket,
    private readonly host: WireConnectionHost,
  ) {
    this.ended = new Promise((r) => {
      this.endedResolve = r;
    });
    client.setNoDelay(true);
    client.on('data', (chunk) => this.onClientData(chunk));
    client.on('error', () => {});
    client.on('close', () => {
      this.endedResolve();
      this.close();
    });
  }

  /** Ends both sides now (a trial's clean-up, or the proxy closing). */
  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.client.destroy();
    this.backend?.destroy();
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
    const calls = [...this.queue.splice(0).map((u) => u.ctx?.call), ...this.consumers.map((c) => c.call)];
    for (const c of this.consumers.splice(0)) {
      c.error ??= lost as pg.DatabaseError;
      c.done(false);
    }
    this.host.closed(
      this,
      calls.filter((c): c is number => c !== undefined),
    );
  }

  private onClientData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'startup') {
      this.fromClient.append(chunk);
      this.startup();
      return;
    }
    for (const f of this.fromClient.push(chunk)) this.onClientFrame(f);
  }

  private startup(): void {
    const packet = this.fromClient.takeUntyped();
    if (!packet) return;
    const code = packet.length >= 8 ? packet.readInt32BE(4) : 0;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      // The proxy speaks plain TCP on the loopback: the client is told to go on without encryption.
      this.client.write('N');
      this.startup();
      return;
    }
    const backend = net.connect(this.host.upstream);
    backend.setNoDelay(true);
    backend.on('error', () => {});
    backend.on('close', () => this.close());
    backend.write(packet);
    if (code === CANCEL_REQUEST) {
      // BackendKeyData passed through untouched, so the server knows the key; it answers nothing.
      backend.end();
      this.phase = 'closed';
      this.client.end();
      this.host.closed(this, []);
      return;
    }
    this.backend = backend;
    this.phase = 'auth';
    backend.on('data', (chunk) => this.onBackendData(chunk));
    const rest = this.fromClient.rest();
    if (rest.length) this.onClientData(rest);
  }

  private onClientFrame(f: Frame): void {
    // Copy messages go straight on: in COPY mode the server reads them, outside it ignores them
    // (postgres.js sends a CopyFail after a finished COPY), and no reply comes either way.
    if (this.phase === 'auth' || 'dcf'.includes(f.type)) {
      this.backend!.write(f.frame);
      return;
    }
    if (f.type === 'X') {
      this.backend!.end(f.frame);
      return;
    }
    if (f.type === 'Q') {
      this.enqueue({ frames: [f.frame], sql: cstrings(f.body, 0, 1)[0] ?? '', executes: true, end: 'query' });
      return;
    }
    const b = (this.batch ??= { frames: [], sql: '', executes: false, end: 'sync' });
    b.frames.push(f.frame);
    switch (f.type) {
      case 'P': {
        const [name = '', sql = ''] = cstrings(f.body, 0, 2);
        this.statements.set(name, sql);
        b.sql ||= sql;
        break;
      }
      case 'B': {
        const [, statement = ''] = cstrings(f.body, 0, 2);
        b.sql ||= this.statements.get(statement) ?? '';
        break;
      }
      case 'E':
        b.executes = true;
        break;
      case 'S':
        b.end = 'sync';
        this.batch = undefined;
        this.enqueue(b);
        break;
      case 'H':
        b.end = 'flush';
        this.batch = undefined;
        this.enqueue(b);
        break;
      case 'D':
      case 'C':
        break;
      default:
        // A FunctionCall or anything else: answered with ReadyForQuery like a Query.
        b.end = 'query';
        b.executes = true;
        this.batch = undefined;
        this.enqueue(b);
    }
  }

  private enqueue(unit: Unit): void {
    unit.ctx = this.host.attribute();
    this.queue.push(unit);
    this.pump();
  }

  // One unit at a time: the next one is sent once the previous one's replies reached the client,
  // so replies never overtake each other and a pipelining client's statements keep their order.
  private pump(): void {
    if (this.busy || this.phase !== 'ready') return;
    const unit = this.queue.shift();
    if (!unit) return;
    this.busy = true;
    const next = () => {
      // The call whose statement opened a transaction owns it: left open when the call returns, it leaked.
      if (this.txStatus !== 'I' && this.txOpener === undefined) this.txOpener = unit.ctx?.call;
      this.busy = false;
      this.pump();
    };
    const gate = this.host.gate();
    if (!gate || !unit.executes || HOUSEKEEPING.test(unit.sql)) {
      void this.send(unit, false)
        .then(
          () => {},
          () => {},
        )
        .finally(next);
      return;
    }
    let consumer: Consumer | undefined;
    const stmt: StatementInfo = {
      sql: unit.sql,
      backendPid: this.pid,
      ctx: unit.ctx,
      ended: this.ended,
      raw: (sql) => this.own(sql),
    };
    gate
      .run(stmt, () =>
        this.send(unit, true, (c) => {
          consumer = c;
        }),
      )
      .then(
        () => this.release(consumer),
        (e) => {
          // The statement's own error reaches the client as the server sent it; anything else
          // (a kill after it ran) means the client never sees its replies.
          if (consumer?.error && e === consumer.error) this.release(consumer);
        },
      )
      .finally(next);
  }

  private release(c: Consumer | undefined): void {
    if (!c?.held) return;
    const held = c.held;
    c.held = null;
    if (held.length && this.phase !== 'closed') this.client.write(held.length === 1 ? held[0]! : Buffer.concat(held));
  }

  /** Sends a unit to the server; resolves to its row count when answered, rejects with its error or a lost connection. */
  private send(unit: Unit, hold: boolean, seen?: (c: Consumer) => void): Promise<{ rowCount: number | null }> {
    return new Promise((resolve, reject) => {
      if (this.phase === 'closed' || !this.backend) {
        reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' }));
        return;
      }
      const owed =
        unit.end === 'flush' && !this.skipping ? unit.frames.filter((f) => 'PBDEC'.includes(String.fromCharCode(f[0]!))).length : 0;
      const c: Consumer = {
        owed,
        end: unit.end,
        held: hold ? [] : null,
        own: false,
        rowCount: null,
        call: unit.ctx?.call,
        done: (ok) => (ok && !c.error ? resolve({ rowCount: c.rowCount }) : reject(c.error)),
      };
      seen?.(c);
      if (unit.end === 'flush' && unit.frames.some((f) => f[0] === 0x50 && f[5] === 0)) this.unnamedOpen = true;
      this.backend.write(unit.frames.length === 1 ? unit.frames[0]! : Buffer.concat(unit.frames));
      if (unit.end === 'flush' && owed === 0) {
        c.done(true);
        return;
      }
      this.consumers.push(c);
    });
  }

  /** Runs SQL of the harness's own on this connection, past every gate; its replies never reach the client. */
  private own(sql: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      // Only between statements, and not inside an extended batch a Query would cut short.
      if (this.phase !== 'ready' || this.consumers.length || this.skipping || this.unnamedOpen) {
        reject(new Error('the connection is not between statements'));
        return;
      }
      const c: Consumer = {
        owed: 0,
        end: 'query',
        held: null,
        own: true,
        rowCount: null,
        done: (ok) => (ok && !c.error ? resolve(undefined) : reject(c.error)),
      };
      this.consumers.push(c);
      this.backend!.write(queryFrame(sql));
    });
  }

  private onBackendData(chunk: Buffer): void {
    const direct: Buffer[] = [];
    for (const f of this.fromBackend.push(chunk)) {
      const c = this.consumers[0];
      this.observe(f, c);
      if (!c) {
        direct.push(f.frame);
        continue;
      }
      if (!c.own) {
        if (c.held) c.held.push(f.frame);
        else direct.push(f.frame);
      }
      // CopyIn/CopyBoth: the server now waits for the client's data, so its replies cannot be held back.
      if (f.type === 'G' || f.type === 'W') {
        if (c.held) {
          direct.push(...c.held);
          c.held = null;
        }
      }
      if (this.finishes(f, c)) {
        this.consumers.shift();
        if (direct.length && this.phase !== 'closed') this.client.write(Buffer.concat(direct.splice(0)));
        c.done(true);
      }
    }
    if (direct.length && this.phase !== 'closed') this.client.write(Buffer.concat(direct));
    this.pump();
  }

  /** Reads what the harness needs from a reply: the backend pid, transaction status, row counts and errors. */
  private observe(f: Frame, c: Consumer | undefined): void {
    switch (f.type) {
      case 'K':
        this.pid = f.body.readInt32BE(0);
        break;
      case 'Z': {
        const status = String.fromCharCode(f.body[0]!) as 'I' | 'T' | 'E';
        if (this.phase === 'auth') this.phase = 'ready';
        this.txStatus = status;
        this.skipping = false;
        this.unnamedOpen = false;
        if (status === 'I') this.txOpener = undefined;
        break;
      }
      case 'C':
        if (c) c.rowCount = commandRowCount(cstrings(f.body, 0, 1)[0] ?? '');
        break;
      case 'E':
        if (c) c.error ??= decodeError(f.body);
        if (c && c.end !== 'query') this.skipping = true;
        break;
    }
  }

  private finishes(f: Frame, c: Consumer): boolean {
    if (c.end !== 'flush') return f.type === 'Z';
    if (f.type === 'E') return true;
    if (ANSWERS.has(f.type)) c.owed--;
    return c.owed <= 0;
  }
}
