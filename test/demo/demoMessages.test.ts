/**
 * The demo stream: given a seed, a start and a size, when the world's messages are generated,
 * then they are valid Segment messages, in time order inside the window, each with its own id,
 * the same bytes for the same seed and start, and a journey that ingestion reads as intended.
 */
import { describe, expect, it } from 'vitest';
import type { DemoMessage, DemoOptions } from '../../services/demo/index.ts';
import { buildDemoWorld, demoMessages } from '../../services/demo/index.ts';
import { defaultChannelRules, parseSegmentMessage, receiveMessage, segmentMessageSchema, systemEventNames, touchEventNames } from '../../services/ingest/index.ts';
import { touchFromMessage } from '../../services/ingest/touchFromMessage.ts';
import { defaultStatuses } from '../../services/leads/index.ts';

const start = new Date('2026-03-02T00:00:00Z');
const generate = (options: Partial<DemoOptions> = {}): DemoMessage[] => [...demoMessages(buildDemoWorld({ leads: 150, days: 30, seed: 11, start, ...options }))];
const lines = (messages: readonly DemoMessage[]): string => messages.map((message) => JSON.stringify(message)).join('\n');

const messages = generate();
const tracks = (event: string) => messages.filter((message): message is Extract<DemoMessage, { type: 'track' }> => message.type === 'track' && message.event === event);

describe('determinism', () => {
  it('the same seed and start give byte-identical output', () => {
    expect(lines(generate())).toBe(lines(messages));
  });

  it('another seed gives another history', () => {
    const other = generate({ seed: 12 });
    expect(lines(other)).not.toBe(lines(messages));
    const ids = new Set(messages.map((message) => message.messageId));
    expect(other.filter((message) => ids.has(message.messageId))).toEqual([]);
  });

  it('another start gives a history of its own, with ids of its own', () => {
    const later = generate({ start: new Date('2026-03-09T00:00:00Z') });
    expect(Date.parse(later[0]!.timestamp)).toBeGreaterThanOrEqual(Date.parse('2026-03-09T00:00:00Z'));
    const ids = new Set(messages.map((message) => message.messageId));
    expect(later.filter((message) => ids.has(message.messageId))).toEqual([]);
  });
});

describe('every message', () => {
  it('passes the Segment message schema ingestion validates with', () => {
    const failures = messages.map((message) => [message.messageId, segmentMessageSchema.safeParse(message)] as const).filter(([, result]) => !result.success);
    expect(failures.map(([id, result]) => `${id}: ${result.error?.message}`)).toEqual([]);
  });

  it('has a unique messageId, a type, an ISO timestamp and a context', () => {
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(messages.length);
    for (const message of messages) {
      expect(message.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(message.context.library.name).toBeTruthy();
    }
  });

  it('is in timestamp order, inside [start, start + days)', () => {
    const times = messages.map((message) => Date.parse(message.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(start.getTime());
    expect(times.at(-1)).toBeLessThan(start.getTime() + 30 * 24 * 3_600_000);
  });

  it('from the browser carries ip, userAgent, locale and page; from the back office, the userId', () => {
    for (const message of messages) {
      const { ip, userAgent, locale, page } = message.context;
      if (message.context.library.name === 'analytics.js') {
        expect([typeof ip, typeof userAgent, typeof locale]).toEqual(['string', 'string', 'string']);
        expect(page?.url).toMatch(/^https:\/\//);
        expect(message.anonymousId).toBeDefined();
      } else {
        expect(message.type).toBe('track');
        expect(message.userId).toMatch(/^usr_/);
        expect(message.anonymousId).toBeUndefined();
      }
    }
  });

  it('names its track event as the catalogue spells it', () => {
    const known = new Set([...touchEventNames, ...systemEventNames]);
    const events = new Set(messages.flatMap((message) => (message.type === 'track' ? [message.event] : [])));
    expect([...events].filter((event) => !known.has(event))).toEqual([]);
    expect([...events]).toEqual(expect.arrayContaining(['Content Viewed', 'Webinar Registered', 'Webinar Attended', 'Live Chat Conversation Started', 'Live Chat Message Sent', 'Email Opened', 'Email Link Clicked', 'Lifecycle Stage Changed']));
  });
});

describe('identity', () => {
  const userIds = new Set(messages.flatMap((message) => (message.type === 'identify' ? [message.userId] : [])));

  it('every lead identifies once, with its email and name, and joins its account with a group call', () => {
    const identifies = messages.filter((message) => message.type === 'identify');
    expect(identifies.length).toBe(150);
    expect(userIds.size).toBe(150);
    for (const { traits } of identifies) expect([traits.email, traits.name, traits.company].every((trait) => typeof trait === 'string' && trait !== '')).toBe(true);
    const grouped = messages.filter((message) => message.type === 'group');
    expect(new Set(grouped.map((message) => message.userId))).toEqual(userIds);
    for (const { traits } of grouped) {
      expect(traits.domain).toMatch(/\.example$/);
      expect([typeof traits.name, typeof traits.industry, typeof traits.employees, typeof traits.plan]).toEqual(['string', 'string', 'number', 'string']);
    }
  });

  it('anonymous visits come before the identify (or alias) that links their anonymousId', () => {
    const linkedAt = new Map<string, number>();
    messages.forEach((message, position) => {
      const anonymousId = message.type === 'alias' ? message.previousId : 'anonymousId' in message ? message.anonymousId : undefined;
      if (anonymousId !== undefined && message.userId !== undefined && !linkedAt.has(anonymousId)) linkedAt.set(anonymousId, position);
    });
    let anonymous = 0;
    messages.forEach((message, position) => {
      if (message.type === 'alias' || message.userId !== undefined || message.anonymousId === undefined) return;
      anonymous += 1;
      expect(position).toBeLessThan(linkedAt.get(message.anonymousId) ?? Infinity);
    });
    expect(anonymous).toBeGreaterThan(500);
  });

  it('some phones browse anonymously first and are linked by an alias call', () => {
    const aliases = messages.filter((message) => message.type === 'alias');
    expect(aliases.length).toBeGreaterThan(0);
    for (const alias of aliases) {
      expect(userIds.has(alias.userId)).toBe(true);
      expect(messages.some((message) => message.type === 'page' && message.anonymousId === alias.previousId && message.userId === undefined)).toBe(true);
    }
  });

  it('every touch of a known lead carries its userId, so nothing creates a lead that did not identify', () => {
    for (const message of messages) if (message.userId !== undefined) expect(userIds.has(message.userId)).toBe(true);
  });
});

describe('channels', () => {
  const channelOf = (message: DemoMessage): string => {
    const parsed = parseSegmentMessage(message);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return touchFromMessage(receiveMessage(parsed.message, new Date()), defaultChannelRules).channel;
  };
  const hostOf = (url: string): string => (url === '' ? '' : new URL(url).hostname);
  const landings = messages.filter((message): message is Extract<DemoMessage, { type: 'page' }> => message.type === 'page' && message.context.page!.search !== '');

  it('an ad click lands with utm and a click id, and is classified as the paid channel it was bought in', () => {
    const expected: Record<string, string> = { cpc: 'paid_search', paid_social: 'paid_social', display: 'display', email: 'email' };
    const mediums = new Set<string>();
    for (const landing of landings) {
      const medium = landing.context.campaign!.medium;
      mediums.add(medium);
      expect(channelOf(landing)).toBe(expected[medium]);
    }
    expect([...mediums].sort()).toEqual(['cpc', 'display', 'email', 'paid_social']);
  });

  it('a search engine referrer without utm is organic search; events name their own channel', () => {
    const organic = messages.filter((message) => message.type === 'page' && message.context.page!.search === '' && /google|bing|baidu|duckduckgo/.test(hostOf(message.context.page!.referrer)));
    expect(organic.length).toBeGreaterThan(0);
    for (const page of organic) expect(channelOf(page)).toBe('organic_search');
    for (const [event, channel] of [['Webinar Attended', 'webinar'], ['Live Chat Message Sent', 'chat'], ['Email Link Clicked', 'email'], ['Meeting Held', 'sales']] as const) {
      for (const message of tracks(event)) expect(channelOf(message)).toBe(channel);
    }
  });
});

describe('the funnel (2,000 leads over 90 days)', () => {
  const big = [...demoMessages(buildDemoWorld({ leads: 2_000, days: 90, seed: 1, start }))];
  const stageChanges = big.filter((message): message is Extract<DemoMessage, { type: 'track' }> => message.type === 'track' && message.event === 'Lifecycle Stage Changed');
  const count = (stage: string): number => stageChanges.filter((message) => message.properties.stage === stage).length;

  it('every lead moves through the stages in order, so each stage has no more leads than the one before', () => {
    const counts = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'].map(count);
    expect(counts[0]).toBe(2_000);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!);
    expect(counts.at(-1)).toBeGreaterThan(0);
  });

  it('converts at B2B rates', () => {
    const rate = (to: string, from: string): number => count(to) / count(from);
    expect(rate('lead', 'subscriber')).toBeGreaterThan(0.6);
    expect(rate('lead', 'subscriber')).toBeLessThan(0.8);
    expect(rate('mql', 'lead')).toBeGreaterThan(0.2);
    expect(rate('mql', 'lead')).toBeLessThan(0.45);
    expect(rate('sql', 'mql')).toBeGreaterThan(0.3);
    expect(rate('sql', 'mql')).toBeLessThan(0.6);
    expect(rate('opportunity', 'sql')).toBeGreaterThan(0.4);
    expect(rate('opportunity', 'sql')).toBeLessThan(0.75);
    expect(rate('customer', 'opportunity')).toBeGreaterThan(0.1);
    expect(rate('customer', 'opportunity')).toBeLessThan(0.4);
  });

  it('deals carry an amount in USD, once per account', () => {
    const withAmount = stageChanges.filter((message) => message.properties.amount !== undefined);
    expect(withAmount.length).toBeGreaterThan(0);
    for (const message of withAmount) {
      expect(['opportunity', 'customer']).toContain(message.properties.stage);
      expect(message.properties.amount).toBeGreaterThanOrEqual(5_000);
      expect(message.properties.amount).toBeLessThanOrEqual(250_000);
      expect(message.properties.currency).toBe('USD');
    }
    const accountOf = new Map(big.flatMap((message) => (message.type === 'group' ? [[message.userId!, message.groupId] as const] : [])));
    const opportunities = withAmount.filter((message) => message.properties.stage === 'opportunity').map((message) => accountOf.get(message.userId!));
    expect(new Set(opportunities).size).toBe(opportunities.length);
  });

  it('between 40% and 60% of webinar registrants attend', () => {
    const registered = big.filter((message) => message.type === 'track' && message.event === 'Webinar Registered').length;
    const attended = big.filter((message) => message.type === 'track' && message.event === 'Webinar Attended').length;
    expect(registered).toBeGreaterThan(200);
    expect(attended / registered).toBeGreaterThan(0.4);
    expect(attended / registered).toBeLessThan(0.6);
  });

  it('lead statuses and owners follow the MQLs', () => {
    const statuses = new Set(big.flatMap((message) => (message.type === 'track' && message.event === 'Lead Status Changed' ? [message.properties.status] : [])));
    expect([...statuses].sort()).toEqual([...defaultStatuses].sort());
    // An MQL in the window's last minutes gets its owner after the window: hence the small margin.
    const owners = big.filter((message) => message.type === 'track' && message.event === 'Owner Assigned').length;
    expect(owners).toBeLessThanOrEqual(count('mql'));
    expect(owners).toBeGreaterThanOrEqual(count('mql') - 3);
  });
});
