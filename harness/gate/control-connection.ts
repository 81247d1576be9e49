import pg from 'pg';

const ENDED = 'the control connection was ended';

/**
 * The harness's own connection to a cell's database, beside the target's (the scheduler's lock
 * polls, fault injection's kills): one pg.Client that several parts of a trial query at once,
 * each query sent only once the one before it settled. pg 8 queues such queries on the client
 * itself but deprecates it (a DeprecationWarning once two wait behind the one running); pg 9
 * removes it.
 */
export class ControlConnection {
  private client: pg.Client;
  /** Settles when the last query asked for has settled; never rejects. */
  private tail: Promise<unknown> = Promise.resolve();
  private ended = false;
  /** The connection dropped (a server restart, a pg_terminate_backend from outside): the next query opens a new one. */
  private lost = false;

  constructor(private readonly config: string | pg.ClientConfig) {
    this.client = this.open();
  }

  private open(): pg.Client {
    const client = new pg.Client(this.config);
    // A connection that drops fails its queries; its 'error' event must not end the process.
    const drop = () => {
      if (client === this.client) this.lost = true;
    };
    client.on('error', drop);
    client.on('end', drop);
    return client;
  }

  /** Opens the connection. */
  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** Sends `sql` after every query asked for before it has settled; rejects as pg does, or once end() was called before it was sent. */
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    const send = async () => {
      if (this.ended) throw new Error(ENDED);
      // One lost connection fails the query in flight; the next trial's get a connection again.
      if (this.lost) {
        this.lost = false;
        this.client.end().catch(() => {});
        this.client = this.open();
        await this.client.connect();
      }
      return this.client.query<R>(sql, params);
    };
    const result = this.tail.then(send);
    this.tail = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  /** Closes the connection: queries not sent yet reject, one in flight fails as pg fails it (its socket is closed, so a hung query cannot hold the close up). */
  async end(): Promise<void> {
    this.ended = true;
    await this.client.end();
  }
}
