import { createRequire } from 'node:module';
import type * as KurrentDbClientLibrary from '@kurrent/kurrentdb-client';

let library: typeof KurrentDbClientLibrary | undefined;

/**
 * `@kurrent/kurrentdb-client`, loaded when the first KurrentDB store or checkpoints object is made.
 * main.ts imports this adapter whatever EVENT_STORE says, and the client (gRPC, protobuf, Kurrent's
 * native reader) takes about 0.4 s to load: embedded Nudge and every CLI command would pay that
 * for nothing. The rest of the adapter imports only its types, or plain values of its own.
 */
export function kurrentDbClientLibrary(): typeof KurrentDbClientLibrary {
  library ??= createRequire(import.meta.url)('@kurrent/kurrentdb-client') as typeof KurrentDbClientLibrary;
  return library;
}
