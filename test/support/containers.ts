/**
 * Real servers for the contract suites, started with testcontainers when a container runtime
 * (Docker, Podman, …) can be reached: KurrentDB, a ClickHouse server, Kafka.
 *
 *   const runtime = await containerRuntime();
 *   if (runtime.ok) { const kurrentdb = await startKurrentDb(); …; await kurrentdb.stop(); }
 *
 * Where no runtime answers (this development machine has the docker client but no engine), the
 * suites skip and print `runtime.reason`; a *_TEST_URL variable points them at a server instead.
 */
import { createServer } from 'node:net';
import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';

export type ContainerRuntime = { readonly ok: true; readonly host: string } | { readonly ok: false; readonly reason: string };

/** Images, each overridable for a local mirror or a newer version. */
export const images = {
  kurrentdb: process.env.KURRENTDB_TEST_IMAGE ?? 'docker.kurrent.io/kurrent-latest/kurrentdb:latest',
  clickhouse: process.env.CLICKHOUSE_TEST_IMAGE ?? 'clickhouse/clickhouse-server:25.8',
  kafka: process.env.KAFKA_TEST_IMAGE ?? 'apache/kafka:3.9.1',
} as const;

/** Pulling an image and starting a server can take minutes on a cold machine. */
export const CONTAINER_STARTUP_MS = 180_000;

let detected: Promise<ContainerRuntime> | undefined;

/**
 * Whether testcontainers finds a working container runtime (its own strategies: DOCKER_HOST,
 * ~/.testcontainers.properties, the usual sockets), answered within `timeoutMs` so that a
 * runtime that never answers reads as absent instead of hanging the suite. Asked once per process.
 */
export function containerRuntime(timeoutMs = 10_000): Promise<ContainerRuntime> {
  detected ??= (async (): Promise<ContainerRuntime> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ContainerRuntime>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `unavailable: no container runtime answered within ${timeoutMs} ms` }), timeoutMs);
      timer.unref();
    });
    const detection = getContainerRuntimeClient().then(
      (client): ContainerRuntime => ({ ok: true, host: client.info.containerRuntime.host }),
      (error: unknown): ContainerRuntime => ({ ok: false, reason: `unavailable: ${error instanceof Error ? error.message : String(error)}` }),
    );
    try {
      return await Promise.race([detection, timeout]);
    } finally {
      clearTimeout(timer);
    }
  })();
  return detected;
}

export interface StartedServer {
  stop(): Promise<void>;
}

export interface StartedKurrentDb extends StartedServer {
  /** For createKurrentDbEventStore / createKurrentDbCheckpoints. */
  readonly connectionString: string;
}

/**
 * KurrentDB, single node, insecure (no TLS, no users), projections off, in memory (tests need no
 * durability across container restarts), ready once its HTTP health endpoint answers.
 */
export async function startKurrentDb(): Promise<StartedKurrentDb> {
  const container = await new GenericContainer(images.kurrentdb)
    .withEnvironment({
      KURRENTDB_CLUSTER_SIZE: '1',
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      KURRENTDB_MEM_DB: 'true',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113))
    .withStartupTimeout(CONTAINER_STARTUP_MS)
    .start();
  return {
    connectionString: `kurrentdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
    stop: () => stopContainer(container),
  };
}

export interface StartedClickHouse extends StartedServer {
  /** For openClickHouseAnalytics({ engine: 'server', url }): http://user:password@host:port. */
  readonly url: string;
}

/** A ClickHouse server with the user Nudge's compose file uses, ready once /ping answers. */
export async function startClickHouse(): Promise<StartedClickHouse> {
  const container = await new GenericContainer(images.clickhouse)
    .withEnvironment({ CLICKHOUSE_USER: 'nudge', CLICKHOUSE_PASSWORD: 'nudge', CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1' })
    .withUlimits({ nofile: { soft: 262_144, hard: 262_144 } })
    .withExposedPorts(8123)
    .withWaitStrategy(Wait.forHttp('/ping', 8123))
    .withStartupTimeout(CONTAINER_STARTUP_MS)
    .start();
  return {
    url: `http://nudge:nudge@${container.getHost()}:${container.getMappedPort(8123)}`,
    stop: () => stopContainer(container),
  };
}

export interface StartedKafka extends StartedServer {
  readonly brokers: string[];
}

/**
 * Apache Kafka in KRaft mode (one broker that is also the controller). @testcontainers/kafka
 * drives Confluent's images (its start script is cp-kafka's), so this is a GenericContainer
 * with the listeners set by hand: PLAINTEXT for the broker itself inside the container, and
 * HOST advertised as the address the tests reach. The advertised address must be known before
 * the broker starts, so the host port is chosen here (a free one) instead of by Docker.
 */
export async function startKafka(runtimeHost: string): Promise<StartedKafka> {
  const hostPort = await freePort();
  const container = await new GenericContainer(images.kafka)
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:19092',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:9092,HOST://${runtimeHost}:${hostPort}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withExposedPorts({ container: 19092, host: hostPort })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(CONTAINER_STARTUP_MS)
    .start();
  return { brokers: [`${runtimeHost}:${hostPort}`], stop: () => stopContainer(container) };
}

async function stopContainer(container: StartedTestContainer): Promise<void> {
  await container.stop({ remove: true });
}

/** A TCP port nothing listens on right now (the kernel's pick), for a fixed host port binding. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
