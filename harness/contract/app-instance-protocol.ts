// The messages between a cell and an app instance's worker thread, and how an error crosses it:
// structured cloning keeps an Error's message only, and classify-error needs its SQLSTATE,
// constraint, Prisma code, cause chain and class name.
import type { RouteRequestInit } from './define-target.js';

/** What a worker is started with. */
export interface AppWorkerData {
  /** Aliases: `from` a specifier as written, or (fromFile) a file path without extension; `to` an absolute file. */
  aliases: { from: string; to: string; fromFile: boolean }[];
  /** The file `server-only` resolves to. */
  emptyModule: string;
}

/** A request from the cell; `id` names the answer (and, for a load, the module). */
export type ToAppWorker =
  | { type: 'load'; id: number; file: string; parent: string }
  | { type: 'call'; id: number; module: number; file: string; path: string[]; args: unknown[] }
  | { type: 'route'; id: number; module: number; file: string; exportName: string; init: RouteRequestInit };

/** An answer, or an error nobody awaited in the instance (a driver's crash). */
export type FromAppWorker =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  | { type: 'uncaught'; error: SerializedError };

/** An error as data: its own properties (cloneable ones), its class name and its cause, recursively. */
export interface SerializedError {
  message: string;
  className?: string;
  props: Record<string, unknown>;
  cause?: SerializedError;
  thrown?: unknown;
}

/** An error (or any thrown value) as data that survives postMessage. */
export function serializeError(e: unknown, depth = 0): SerializedError {
  if (typeof e !== 'object' || e === null) return { message: String(e), props: {}, thrown: cloneable(e) ? e : String(e) };
  const props: Record<string, unknown> = {};
  for (const k of Object.getOwnPropertyNames(e)) {
    if (k === 'message' || k === 'cause') continue;
    const v = (e as any)[k];
    if (cloneable(v)) props[k] = v;
    else if (depth < 3 && typeof v === 'object' && v !== null && !Array.isArray(v)) props[k] = plain(v, depth + 1);
  }
  const className = (e as any).constructor?.name;
  const cause = (e as any).cause;
  return {
    message: typeof (e as any).message === 'string' ? (e as any).message : String(e),
    ...(typeof className === 'string' && className !== 'Error' && className !== 'Object' ? { className } : {}),
    props,
    ...(cause !== undefined && depth < 5 ? { cause: serializeError(cause, depth + 1) } : {}),
  };
}

/** The error again, as an instance of a class of the same name, with the same properties and cause. */
export function deserializeError(s: SerializedError): unknown {
  if (s.thrown !== undefined) return s.thrown;
  const name = s.className;
  const Ctor =
    name && /^[A-Za-z_$][\w$]*$/.test(name) ? ({ [name]: class extends Error {} } as Record<string, ErrorConstructor>)[name]! : Error;
  const e = new Ctor(s.message) as any;
  for (const [k, v] of Object.entries(s.props)) {
    try {
      Object.defineProperty(e, k, { value: v, writable: true, configurable: true, enumerable: k !== 'stack' && k !== 'name' });
    } catch {
      /* a read-only one */
    }
  }
  if (s.cause) e.cause = deserializeError(s.cause);
  return e;
}

function cloneable(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean', 'undefined', 'bigint'].includes(typeof v);
}

function plain(o: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // An Error's message and cause are own but not enumerable.
  for (const k of o instanceof Error ? Object.getOwnPropertyNames(o) : Object.keys(o)) {
    const v = (o as any)[k];
    if (cloneable(v)) out[k] = v;
    else if (depth < 5 && typeof v === 'object' && v !== null) out[k] = Array.isArray(v) ? v.filter(cloneable) : plain(v, depth + 1);
  }
  return out;
}
