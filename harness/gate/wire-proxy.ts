import net from 'node:net';
import type { CallContext } from './call-context.js';
import type { StatementGate } from './statement-gate.js';
import type { CallLeaks } from './trial-pool.js';
import { WireConnection } from './wire-connection.js';

/**
 * The wire gate: a PostgreSQL proxy in front of a cell's database that hands every statement of
 * any client (any driver, any process) to the current gate, as the trial pool does for `pg`.
 * Each logical client of a trial gets a URL of its own (a port of its own), so whatever connects
 * through it is attributed to that client's current call.
 */
export class WireProxy {
  private gate: StatementGate | undefined;
  private readonly listeners = new Map<number, Promise<net.Server>>();
  private readonly current = new Map<number, CallContext>();
  private readonly connections = new Set<WireConnection>();
  private closing = false;
  private readonly lost = new Set<number>();

  /** `upstream` is the cell database's own URL; the proxy answers on the loopback. */
  constructor(private readonly upstream: string) {}

  /** The connection URL of logical client `client`: the database's URL with the host and port of this client's listener. */
  async urlFor(client: number): Promise<string> {
    let listening = this.listeners.get(client);
    if (!listening) {
      listening = this.listen(client);
      this.listeners.set(client, listening);
    }
    const server = await listening;
    const url = new URL(this.upstream);
    url.hostname = '127.0.0.1';
    url.port = String((server.address() as net.AddressInfo).port);
    return url.toString();
  }

  private listen(client: number): Promise<net.Server> {
    const u = new URL(this.upstream);
    const upstream = { host: u.hostname || '127.0.0.1', port: Number(u.port || 5432) };
    const server = net.createServer((socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      const conn = new WireConnection(socket, {
        upstream,
        gate: () => this.gate,
        attribute: () => this.current.get(client),
        closed: (c, calls) => {
          this.connections.delete(c);
          for (const call of calls) this.lost.add(call);
        },
      });
      this.connections.add(conn);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  }

  /** Every statement from now on passes `gate` (undefined: straight through). */
  setGate(gate: StatementGate | undefined): void {
    this.gate = gate;
  }

  /** Client `client` is running call `ctx` now (undefined: between calls); its statements are that call's. */
  setCall(client: number, ctx: CallContext | undefined): void {
    if (ctx) this.current.set(client, ctx);
    else this.current.delete(client);
  }

  /** Open proxied connections. */
  connectionCount(): number {
    return this.connections.size;
  }

  /** What call `call` leaked: a connection it left inside a transaction it opened (a driver's own pool is not visible, so nothing counts as held). */
  leaksOf(call: number): CallLeaks {
    for (const c of this.connections) if (c.txStatus !== 'I' && c.txOpener === call) return { held: 0, openTransaction: true };
    return { held: 0, openTransaction: false };
  }

  /**
   * Calls of the current trial that had a statement on a connection when it ended under them (a
   * kill aimed at another call on the same connection: a driver may hand a retry the connection
   * whose FATAL it has read but whose close it has not yet seen, as it would with a real kill).
   */
  lostCalls(): ReadonlySet<number> {
    return this.lost;
  }

  /** Ends a trial: closes every connection left inside a transaction, so the next trial starts clean; returns how many. */
  reclaim(): { held: number; dirty: number } {
    let dirty = 0;
    for (const c of [...this.connections])
      if (c.txStatus !== 'I') {
        c.close();
        dirty++;
      }
    this.current.clear();
    this.lost.clear();
    return { held: 0, dirty };
  }

  /** Closes every open connection (the listeners stay). */
  dropConnections(): void {
    for (const c of [...this.connections]) c.close();
  }

  /** Closes every listener and connection. */
  async close(): Promise<void> {
    this.closing = true;
    this.dropConnections();
    const servers = await Promise.all([...this.listeners.values()].map((l) => l.catch(() => undefined)));
    await Promise.all(servers.map((s) => s && new Promise<void>((r) => s.close(() => r()))));
    this.listeners.clear();
  }
}
