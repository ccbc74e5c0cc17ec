import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { MailDeliveryError, systemClock, UnavailableError, type Clock } from '../../services/core/index.ts';
import type { Mailer, OutgoingEmail, SentEmail } from '../../services/ports/index.ts';
import { checkOutgoingEmail, sendMailOptions } from './mailMessage.ts';

export interface OutboxMailerOptions {
  /** The outbox folder; made on first use. */
  readonly dir: string;
  readonly clock?: Clock;
}

/**
 *   const mailer = createOutboxMailer({ dir: 'data/outbox' });
 *
 * Each message becomes one RFC 5322 file, `<dir>/<UTC time>-<idempotencyKey>.eml`, that any
 * mail client opens: the embedded mode's stand-in for a server, and a record of what left.
 * A file appears whole or not at all (written beside, flushed, then renamed). Idempotent on
 * the key: when a file for it exists, `send` returns what that file records and writes nothing.
 * One process writes an outbox; sends of one key in that process are serialised.
 */
export function createOutboxMailer(options: OutboxMailerOptions): Mailer {
  const clock = options.clock ?? systemClock;
  const { dir } = options;
  // Builds the message exactly as the SMTP transport would put it on the wire, into a Buffer.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true });
  const inFlight = new Map<string, Promise<SentEmail>>();
  let open = true;

  async function write(message: OutgoingEmail): Promise<SentEmail> {
    const recorded = await onDisk(async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return recordedSend(dir, message.idempotencyKey);
    });
    if (recorded !== undefined) return recorded;
    const acceptedAt = clock.now();
    let raw: Buffer;
    try {
      raw = (await composer.sendMail(sendMailOptions(message, acceptedAt))).message as Buffer;
    } catch (error) {
      throw new MailDeliveryError(`cannot encode the email: ${messageOf(error)}`, { retryable: false, cause: error });
    }
    const path = join(dir, `${fileTime(acceptedAt)}-${message.idempotencyKey}.eml`);
    await onDisk(() => writeAtomically(path, raw));
    return { messageId: message.messageId, acceptedAt, transport: 'outbox', detail: path };
  }

  /** A full or read-only disk clears up (or does not) like a server's 4xx: the caller may retry. */
  async function onDisk<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new MailDeliveryError(`cannot write to the outbox ${dir}: ${messageOf(error)}`, { retryable: true, cause: error });
    }
  }

  return {
    async send(message) {
      if (!open) throw new UnavailableError('the outbox mailer is closed');
      checkOutgoingEmail(message);
      const key = message.idempotencyKey;
      const pending = (inFlight.get(key) ?? Promise.resolve(undefined))
        .catch(() => undefined)
        .then(() => write(message))
        .finally(() => {
          if (inFlight.get(key) === pending) inFlight.delete(key);
        });
      inFlight.set(key, pending);
      return await pending;
    },
    async ping() {
      if (!open) throw new UnavailableError('the outbox mailer is closed');
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await access(dir, constants.W_OK);
      } catch (error) {
        throw new UnavailableError(`the outbox ${dir} is not writable: ${messageOf(error)}`, { cause: error });
      }
    },
    async close() {
      open = false;
      await Promise.allSettled(inFlight.values());
      composer.close();
    },
  };
}

/** `2026-03-01T09-30-12.345Z`: sorts by time, and is a valid file name everywhere (no colons). */
function fileTime(at: Date): string {
  return at.toISOString().replaceAll(':', '-');
}

/** A file name's time and key; undefined for anything else in the folder (temporary files, a README). */
function parseFileName(name: string): { at: Date; key: string } | undefined {
  const parts = /^(\d{4}-\d\d-\d\dT)(\d\d)-(\d\d)-(\d\d\.\d{3}Z)-(.+)\.eml$/.exec(name);
  return parts === null ? undefined : { at: new Date(`${parts[1]}${parts[2]}:${parts[3]}:${parts[4]}`), key: parts[5]! };
}

/** The send an earlier call recorded for this key, read back from its file. */
async function recordedSend(dir: string, key: string): Promise<SentEmail | undefined> {
  let found: { name: string; at: Date } | undefined;
  for (const name of await readdir(dir)) {
    const parsed = parseFileName(name);
    if (parsed?.key === key) found = { name, at: parsed.at };
  }
  if (found === undefined) return undefined;
  const path = join(dir, found.name);
  const text = await readFile(path, 'utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const messageId = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '';
  return { messageId, acceptedAt: found.at, transport: 'outbox', detail: path };
}

/** Writes a dot-file beside the target, flushes it, renames it into place, flushes the folder. */
async function writeAtomically(path: string, content: Buffer): Promise<void> {
  const temporary = join(path, '..', `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(join(path, '..'));
}

/** Makes the rename itself durable; some platforms cannot open a folder to flush it, and need not. */
async function syncFolder(dir: string): Promise<void> {
  let folder;
  try {
    folder = await open(dir, 'r');
    await folder.sync();
  } catch {
    // Windows refuses to open a directory; its rename is durable enough for an outbox.
  } finally {
    await folder?.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
