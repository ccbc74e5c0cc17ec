import type { MessagePort } from 'node:worker_threads';
import type { Config } from './config/index.ts';

/** What the projector thread (services/projectorThread.ts) is started with. */
export interface ProjectorThreadData {
  readonly config: Config;
  /** Its end of the channel on which the main thread serves the analytics engine. */
  readonly analyticsPort: MessagePort;
  readonly engine: { readonly database: string; readonly description: string };
}

/** From the main thread: stop (finish the batch in hand, close), or rebuild the projection. */
export type ProjectorThreadRequest = 'stop' | { readonly op: 'rebuild'; readonly id: number };

/** The thread's answer to a rebuild: done, or why not. */
export interface ProjectorThreadReply {
  readonly id: number;
  readonly error?: string;
}
