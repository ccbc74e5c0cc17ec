import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * librdkafka's mock cluster as a Kafka protocol peer for tests: a real TCP listener that speaks
 * the Kafka protocol (produce, fetch, consumer groups, offset commits), started in a child
 * process from the small C launcher next to this file. The launcher is compiled on first use with
 * the machine's C compiler against librdkafka-dev and cached under node_modules/.cache, keyed by
 * a hash of its source and build flags.
 *
 *   const kafka = await startKafkaMock({ topics: [{ name: 'nudge.ingest', partitions: 6 }] });
 *   new Kafka({ brokers: kafka.brokers });
 *   await kafka.stop();
 *
 * Known limits of the mock (librdkafka 2.0): its Metadata names controller 0, which is no broker,
 * so whatever kafkajs sends to the controller fails with "KafkaJSBrokerNotFound: Broker 0 not found
 * in the cached metadata": admin.createTopics (the mock has no CreateTopics anyway; topics come
 * from `topics` here) and the idempotent producer (InitProducerId). Consumer groups with several
 * members need `mockGroupAssigners` (see there). A Metadata request for an unknown topic creates
 * it, so producers should set `allowAutoTopicCreation: false` to catch a misspelt name.
 */

export interface KafkaTopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface KafkaMockOptions {
  readonly topics: readonly KafkaTopicSpec[];
  /** Number of mock brokers (default 1); partition leaders are spread across them. */
  readonly brokers?: number;
  /** How long to wait for the launcher's BOOTSTRAP line (default 15 s). */
  readonly startTimeoutMs?: number;
}

export interface KafkaMock {
  /** host:port of every mock broker, for kafkajs's `brokers`. */
  readonly brokers: string[];
  /** Ends the cluster (SIGTERM, then SIGKILL after 5 s); safe to call more than once. */
  stop(): Promise<void>;
}

export type KafkaMockAvailability = { ok: true } | { ok: false; reason: string };

const launcherSource = join(import.meta.dirname, 'mockCluster.c');
const cacheRoot = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'nudge-kafka-mock');
const compiler = process.env.CC ?? 'cc';
// Kafka's own rule for topic names; checked here so a bad name fails with a clear message.
const legalTopicName = /^[a-zA-Z0-9._-]{1,249}$/;

type Launcher = { ok: true; path: string } | { ok: false; reason: string };
let launcher: Launcher | undefined;

/**
 * Whether the mock can run here: a C compiler plus librdkafka's headers and library
 * (Debian: `apt-get install gcc librdkafka-dev`). Answers by building the launcher (cached),
 * so `ok` means `startKafkaMock` will not fail for want of a tool.
 *
 *   const mock = kafkaMockAvailable();
 *   if (!mock.ok) console.warn(`skipping: ${mock.reason}`);
 */
export function kafkaMockAvailable(): KafkaMockAvailability {
  const built = buildLauncher();
  return built.ok ? { ok: true } : built;
}

/** Starts a mock cluster with the given topics and resolves once its brokers accept connections. */
export async function startKafkaMock(options: KafkaMockOptions): Promise<KafkaMock> {
  const brokerCount = options.brokers ?? 1;
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 64) {
    throw new Error(`startKafkaMock: brokers must be an integer 1..64, got ${brokerCount}`);
  }
  for (const topic of options.topics) {
    if (!legalTopicName.test(topic.name)) throw new Error(`startKafkaMock: illegal Kafka topic name "${topic.name}"`);
    if (!Number.isInteger(topic.partitions) || topic.partitions < 1) {
      throw new Error(`startKafkaMock: topic ${topic.name} needs a positive integer partition count, got ${topic.partitions}`);
    }
  }
  const built = buildLauncher();
  if (!built.ok) throw new Error(`startKafkaMock: ${built.reason}`);

  const args = [String(brokerCount), ...options.topics.map((t) => `${t.name}:${t.partitions}`)];
  // stdin stays an open pipe: the launcher exits when it closes, so it never outlives this process.
  const child = spawn(built.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A launcher that dies on its own must not crash the test process through an unhandled 'error'.
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });

  const brokers = await new Promise<string[]>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`startKafkaMock: ${why}${stderr.trim() === '' ? '' : `; launcher stderr:\n${stderr.trim()}`}`));
    };
    const timer = setTimeout(() => fail(`no BOOTSTRAP line within ${timeoutMs} ms`), timeoutMs);
    const onError = (error: Error) => fail(`could not run ${built.path}: ${error.message}`);
    // 'close' rather than 'exit': it comes after stderr is drained, so the message has it all.
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`launcher exited (${signal ?? `code ${code}`}) before printing BOOTSTRAP`);
    child.once('error', onError);
    child.once('close', onExit);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^BOOTSTRAP (\S+)\r?\n/m.exec(stdout); // whole line only: a chunk may end mid-address
      if (line === null) return;
      clearTimeout(timer);
      child.off('close', onExit);
      child.off('error', onError);
      child.stdout.removeAllListeners('data');
      child.stdout.resume(); // keep draining: a full pipe would block the launcher
      resolve(line[1]!.split(','));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.stdin.end();
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

function buildLauncher(): Launcher {
  if (launcher !== undefined) return launcher;
  launcher = compileLauncher();
  return launcher;
}

function compileLauncher(): Launcher {
  const probe = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return { ok: false, reason: `no C compiler: \`${compiler} --version\` failed (${probe.error?.message ?? `exit ${probe.status}`}); install gcc or set CC` };
  }
  // pkg-config knows where a non-Debian install put librdkafka; without it, the default paths.
  const pkg = spawnSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' });
  const flags = pkg.status === 0 ? pkg.stdout.trim().split(/\s+/).filter((f) => f !== '') : ['-lrdkafka'];

  const source = readFileSync(launcherSource);
  const key = createHash('sha256').update(source).update(JSON.stringify([compiler, flags])).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, key);
  const binary = join(dir, 'mockCluster');
  if (existsSync(binary)) return { ok: true, path: binary };

  mkdirSync(dir, { recursive: true });
  // Built under a private name and renamed into place, so parallel test workers never run a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  const cc = spawnSync(compiler, ['-O2', '-o', partial, launcherSource, ...flags], { encoding: 'utf8' });
  if (cc.error !== undefined || cc.status !== 0) {
    rmSync(partial, { force: true });
    const firstError = (cc.stderr ?? '').split('\n').find((l) => /error/i.test(l)) ?? cc.error?.message ?? `exit ${cc.status}`;
    return { ok: false, reason: `cannot build the librdkafka mock launcher (install librdkafka-dev: rdkafka_mock.h and librdkafka.so): ${firstError.trim()}` };
  }
  renameSync(partial, binary);
  return { ok: true, path: binary };
}
