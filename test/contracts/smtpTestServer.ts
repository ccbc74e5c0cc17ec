import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface TestSmtpServer {
  readonly url: string;
  readonly received: Buffer[];
  refuse(code: number, at: 'rcpt' | 'data'): void;
  close(): Promise<void>;
}

function refusal(code: number): SMTPServerError {
  const error: SMTPServerError = new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later');
  error.responseCode = code;
  return error;
}

/** An SMTP server on 127.0.0.1 that keeps every message it accepts; no TLS, no authentication. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: Buffer[] = [];
  const refusals: { code: number; at: 'rcpt' | 'data' }[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onRcptTo(_address, _session, callback) {
      if (refusals[0]?.at === 'rcpt') return callback(refusal(refusals.shift()!.code));
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals[0]?.at === 'data') return callback(refusal(refusals.shift()!.code));
        received.push(Buffer.concat(chunks));
        callback(null, 'Ok: queued');
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse: (code, at) => refusals.push({ code, at }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
