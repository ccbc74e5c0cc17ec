import type { Identity, IdentityKind } from '../events/index.ts';
import { identityKey, normaliseIdentity } from '../events/index.ts';
import type { SegmentMessage } from './segment/segmentMessage.ts';

/** Trait names that carry a chat handle, per network (snake_case and camelCase as SDKs send them). */
const CHAT_TRAITS: readonly (readonly [IdentityKind, readonly string[]])[] = [
  ['wechat', ['wechat_id', 'wechatId', 'wechat']],
  ['wecom', ['wecom_id', 'wecomId', 'wecom', 'wework_id']],
  ['whatsapp', ['whatsapp_id', 'whatsappId', 'whatsapp']],
  ['line', ['line_id', 'lineId']],
  ['telegram', ['telegram_id', 'telegramId', 'telegram']],
];

/**
 * The identities a message names for its person: the userId, and from the traits (the call's own,
 * or the context's for track/page) an email, a phone number and chat handles.
 */
export function identitiesOfMessage(message: SegmentMessage): Identity[] {
  const traits: Record<string, unknown> = {
    ...(message.context?.traits ?? {}),
    ...(message.type === 'identify' ? (message.traits ?? {}) : {}),
  };
  const found: (Identity | null)[] = [
    message.userId === undefined || message.userId === null ? null : normaliseIdentity('userId', message.userId),
    normaliseIdentity('email', traits.email),
    normaliseIdentity('phone', traits.phone),
  ];
  for (const [kind, names] of CHAT_TRAITS) {
    for (const name of names) found.push(normaliseIdentity(kind, traits[name]));
  }
  const seen = new Set<string>();
  return found.filter((identity): identity is Identity => {
    if (identity === null) return false;
    const key = identityKey(identity);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Traits that are identities or lead state, not free-form traits. */
export const STATE_TRAITS: ReadonlySet<string> = new Set(['lifecycle_stage', 'lifecycleStage', 'lead_status', 'leadStatus']);
