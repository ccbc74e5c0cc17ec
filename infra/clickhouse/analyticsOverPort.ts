import type { MessagePort } from 'node:worker_threads';
import { AnalyticsError, type FieldIssue, UnavailableError, ValidationError } from '../../services/core/index.ts';
import type { Analytics, EncodedRows, QueryParams, ResultTable } from '../../services/ports/index.ts';
import { encodeRows } from './encodeRows.ts';

/**
 * The Analytics port across threads: one thread holds the engine (chDB is one engine per process,
 * and its native library must be loaded by one thread only) and serves it on a MessagePort with
 * `serveAnalyticsOnPort`; another thread (the projector's) uses it through `analyticsOverPort`.
 * Calls and answers are structured-cloned; rows are encoded on the calling thread, so the
 * engine's thread only hands the text to the engine. Errors keep their kind (AnalyticsError with
 * the engine's code, ValidationError with its issues, UnavailableError).
 *
 *   const { port1, port2 } = new MessageChannel();
 *   const serving = serveAnalyticsOnPort(analytics, port1);            // the engine's thread
 *   const remote = analyticsOverPort(port2, { database, description }); // the other thread
 */
export function serveAnalyticsOnPort(analytics: Analytics, port: MessagePort): { close(): void } {
  port.on('message', (call: Call) => {
    void answer(analytics, call).then((reply) => {
      try {
        port.postMessage(reply);
      } catch {
        // The other thread closed its end: nobody is waiting for this answer.
      }
    });
  });
  // The threads' own lifetimes decide when the process ends, not this port.
  port.unref();
  return { close: () => port.close() };
}

/** What the engine's thread tells the other thread about the engine, with the port. */
export interface AnalyticsOverPortInfo {
  readonly database: string;
  readonly description: string;
}

/** The Analytics port on the engine `serveAnalyticsOnPort` serves at the other end of `port`. */
export function analyticsOverPort(port: MessagePort, info: AnalyticsOverPortInfo): Analytics {
  return new PortAnalytics(port, info);
}

type Operation = 'command' | 'query' | 'queryTable' | 'insert' | 'ping';

interface Call {
  readonly id: number;
  readonly op: Operation;
  readonly args: readonly unknown[];
}

type Reply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: CarriedError };

interface CarriedError {
  readonly kind: 'analytics' | 'validation' | 'unavailable' | 'other';
  readonly message: string;
  readonly engineCode?: number | undefined;
  readonly issues?: readonly FieldIssue[];
}

async function answer(analytics: Analytics, call: Call): Promise<Reply> {
  try {
    const [a, b, c] = call.args;
    switch (call.op) {
      case 'command':
        return { id: call.id, value: await analytics.command(a as string, b as QueryParams | undefined) };
      case 'query':
        return { id: call.id, value: await analytics.query(a as string, b as QueryParams | undefined) };
      case 'queryTable':
        return { id: call.id, value: await analytics.queryTable(a as string, b as QueryParams | undefined) };
      case 'insert':
        return { id: call.id, value: await analytics.insert(a as string, b as EncodedRows, c as { deduplicationToken?: string } | undefined) };
      case 'ping':
        return { id: call.id, value: await analytics.ping() };
      default:
        throw new Error(`unknown analytics call ${JSON.stringify((call as { op: unknown }).op)}`);
    }
  } catch (error) {
    return { id: call.id, error: carried(error) };
  }
}

function carried(error: unknown): CarriedError {
  if (error instanceof AnalyticsError) return { kind: 'analytics', message: error.message, engineCode: error.engineCode };
  if (error instanceof ValidationError) return { kind: 'validation', message: error.message, issues: error.issues };
  if (error instanceof UnavailableError) return { kind: 'unavailable', message: error.message };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

function rebuilt(error: CarriedError): Error {
  switch (error.kind) {
    case 'analytics':
      return new AnalyticsError(error.message, { engineCode: error.engineCode });
    case 'validation':
      // The message already names the issues: keep it as it was, with the issues for the caller.
      return Object.assign(new ValidationError(error.message), { issues: error.issues ?? [] });
    case 'unavailable':
      return new UnavailableError(error.message);
    default:
      return new Error(error.message);
  }
}

class PortAnalytics implements Analytics {
  readonly database: string;
  readonly description: string;
  readonly #port: MessagePort;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #closed: string | null = null;

  constructor(port: MessagePort, info: AnalyticsOverPortInfo) {
    this.database = info.database;
    this.description = info.description;
    this.#port = port;
    port.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      if (waiting === undefined) return;
      this.#pending.delete(reply.id);
      if ('error' in reply) waiting.reject(rebuilt(reply.error));
      else waiting.resolve(reply.value);
    });
    port.on('close', () => this.#end('the analytics engine is no longer served to this thread'));
  }

  command(sql: string, params?: QueryParams): Promise<void> {
    return this.#call('command', [sql, params]) as Promise<void>;
  }

  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    return this.#call('query', [sql, params]) as Promise<T[]>;
  }

  queryTable(sql: string, params?: QueryParams): Promise<ResultTable> {
    return this.#call('queryTable', [sql, params]) as Promise<ResultTable>;
  }

  insert(table: string, rows: readonly Record<string, unknown>[] | EncodedRows, options?: { deduplicationToken?: string }): Promise<void> {
    let encoded: EncodedRows;
    try {
      encoded = 'encoded' in rows ? rows : encodeRows(rows);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.#call('insert', [table, encoded, options]) as Promise<void>;
  }

  encodeRows(rows: readonly Record<string, unknown>[], options: { readonly columns?: readonly string[] } = {}): EncodedRows {
    return encodeRows(rows, options);
  }

  ping(): Promise<void> {
    return this.#call('ping', []) as Promise<void>;
  }

  /** Ends this thread's use of the engine (calls still waiting fail); the engine stays open on its thread. */
  close(): Promise<void> {
    if (this.#closed === null) {
      this.#end('analytics engine is closed');
      this.#port.close();
    }
    return Promise.resolve();
  }

  #call(op: Operation, args: readonly unknown[]): Promise<unknown> {
    if (this.#closed !== null) return Promise.reject(new UnavailableError(this.#closed));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#port.postMessage({ id, op, args } satisfies Call);
      } catch (error) {
        this.#pending.delete(id);
        reject(new UnavailableError(`analytics engine: cannot send the call to its thread: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    });
  }

  #end(why: string): void {
    if (this.#closed !== null) return;
    this.#closed = why;
    for (const waiting of this.#pending.values()) waiting.reject(new UnavailableError(why));
    this.#pending.clear();
  }
}
