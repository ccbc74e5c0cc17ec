import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaMock } from '../support/kafka/mockCluster.ts';
import { kafkaMockAvailable, startKafkaMock } from '../support/kafka/mockCluster.ts';
import { startNudge, type RunningNudge } from './nudgeProcess.ts';

/**
 * `nudge serve` with INGEST_LOG=kafka against a real Kafka protocol peer: the API answers
 * `accepted` once Kafka holds the message, the process's ingest worker stores it, and the lead
 * appears as with direct ingestion.
 */
const available = kafkaMockAvailable();
if (!available.ok) console.warn(`skipping nudge serve on Kafka: ${available.reason}`);

describe.skipIf(!available.ok)('nudge serve with INGEST_LOG=kafka', () => {
  let cluster: KafkaMock;
  let nudge: RunningNudge;
  const root = mkdtempSync(join(tmpdir(), 'nudge-kafka-serve-'));
  const dataDir = join(root, 'data');

  beforeAll(async () => {
    cluster = await startKafkaMock({ topics: [{ name: 'nudge.ingest', partitions: 4 }, { name: 'nudge.ingest.dead-letter', partitions: 1 }] });
    nudge = await startNudge({ NUDGE_DATA_DIR: dataDir, INGEST_LOG: 'kafka', KAFKA_BROKERS: cluster.brokers.join(','), NUDGE_PROJECTOR: 'off', NUDGE_SCORER: 'off' }, 60_000);
  }, 90_000);
  afterAll(async () => {
    await nudge?.stop();
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers accepted once Kafka holds the message; the ingest worker stores it and the lead can be looked up', async () => {
    const writeKey = readFileSync(join(dataDir, 'write-key'), 'utf8').trim();
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const send = (path: string, body: unknown) =>
      fetch(`${nudge.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const identified = await send('/v1/identify', { userId: 'kafka-jane', traits: { email: 'jane@kafka.example', name: 'Jane Kafka' } });
    expect(identified.status).toBe(200);
    expect(await identified.json()).toMatchObject({ success: true, accepted: 1, stored: 0 });
    const tracked = await send('/v1/track', { userId: 'kafka-jane', event: 'Webinar Registered' });
    expect(await tracked.json()).toMatchObject({ accepted: 1 });
    expect(nudge.logs.some((line) => String(line.msg).startsWith('ingest log: Kafka topic nudge.ingest'))).toBe(true);

    const deadline = Date.now() + 30_000;
    let lead: { id: string; traits: { name?: string } } | undefined;
    while (Date.now() < deadline) {
      const response = await fetch(`${nudge.url}/v1/leads/lookup?userId=kafka-jane`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 200) {
        lead = (await response.json()) as typeof lead;
        const timeline = (await (await fetch(`${nudge.url}/v1/leads/${lead!.id}/timeline`, { headers: { authorization: `Bearer ${token}` } })).json()) as { events: { type: string }[] };
        if (timeline.events.some((event) => event.type === 'TouchRecorded')) break;
      }
      await delay(200);
    }
    expect(lead?.traits.name).toBe('Jane Kafka');
  }, 60_000);
});
