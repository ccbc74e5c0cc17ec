import type { TouchRecorded, Utm } from '../events/index.ts';
import type { ChannelRules } from './channels/index.ts';
import { classifyChannel } from './channels/index.ts';
import type { ReceivedMessage } from './segment/receivedMessage.ts';

/** Click ids ad platforms put on landing-page URLs; each one names the platform that paid for the click. */
const CLICK_ID_PARAMS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'li_fat_id', 'msclkid', 'ttclid', 'twclid', 'rdt_cid', 'epik', 'sccid'] as const;

/**
 * The TouchRecorded of a track, page or screen call: what it was, where it came from (utm and
 * click ids, from the context or else the page URL), and the channel with the rule that chose it.
 */
export function touchFromMessage(received: ReceivedMessage, rules: ChannelRules): TouchRecorded['data'] {
  const message = received.message;
  const context: Record<string, unknown> & { page?: Record<string, unknown>; campaign?: Record<string, unknown> } = message.context ?? {};
  const page: Record<string, unknown> = context.page ?? {};
  const properties = (('properties' in message ? message.properties : undefined) ?? {}) as Record<string, unknown>;
  const url = text(page.url) ?? text(properties.url);
  const referrer = text(page.referrer) ?? text(properties.referrer);
  const query = queryOf(url ?? (text(page.search) !== null ? `http://x/${text(page.search)}` : null));
  const campaign: Record<string, unknown> = context.campaign ?? {};
  const utm: Utm = {
    source: lower(text(campaign.source) ?? query.get('utm_source')),
    medium: lower(text(campaign.medium) ?? query.get('utm_medium')),
    campaign: text(campaign.name) ?? query.get('utm_campaign'),
    term: text(campaign.term) ?? query.get('utm_term'),
    content: text(campaign.content) ?? query.get('utm_content'),
  };
  const clickIds: Record<string, string> = {};
  for (const param of CLICK_ID_PARAMS) {
    const value = query.get(param) ?? text(properties[param]) ?? text(campaign[param]);
    if (value !== null) clickIds[param] = value;
  }
  const call = message.type === 'track' ? 'track' : message.type === 'screen' ? 'screen' : 'page';
  const name = message.type === 'track' ? message.event : call === 'screen' ? 'Screen Viewed' : 'Page Viewed';
  const pageName = message.type === 'page' || message.type === 'screen' ? (message.name ?? null) : null;
  const { channel, rule } = classifyChannel(
    {
      eventName: name,
      utm: withoutNulls(utm),
      clickIds,
      ...(referrer === null ? {} : { referrer }),
      ...(url === null ? {} : { pageUrl: url }),
      properties,
    },
    rules,
  );
  return {
    messageId: message.messageId,
    call,
    name,
    pageName,
    channel,
    channelRule: rule,
    occurredAt: received.occurredAt,
    receivedAt: received.receivedAt,
    utm,
    clickIds,
    url,
    referrer,
    properties,
    anonymousId: message.anonymousId ?? null,
    userId: message.userId ?? null,
    ip: text(context.ip),
    userAgent: text(context.userAgent),
  };
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function lower(value: string | null): string | null {
  return value === null ? null : value.toLowerCase();
}

/** The query parameters of a URL (the part between `?` and `#`), as the URL parser would give them. */
function queryOf(url: string | null): URLSearchParams {
  if (url === null) return new URLSearchParams();
  const question = url.indexOf('?');
  const hash = url.indexOf('#');
  if (question < 0 || (hash >= 0 && hash < question)) return new URLSearchParams();
  return new URLSearchParams(url.slice(question + 1, hash < 0 ? undefined : hash));
}

function withoutNulls(utm: Utm): { source?: string; medium?: string; campaign?: string; term?: string; content?: string } {
  const present: { -readonly [K in keyof Utm]?: string } = {};
  if (utm.source !== null) present.source = utm.source;
  if (utm.medium !== null) present.medium = utm.medium;
  if (utm.campaign !== null) present.campaign = utm.campaign;
  if (utm.term !== null) present.term = utm.term;
  if (utm.content !== null) present.content = utm.content;
  return present;
}
