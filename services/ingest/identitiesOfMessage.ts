import type { Identity, IdentityKind } from '../events/index.ts';
import { normaliseIdentity } from '../events/index.ts';
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
  // The call's own traits win over the context's (identify); read from both without merging them.
  const own = message.type === 'identify' ? message.traits : undefined;
  const context = message.context?.traits;
  const found: Identity[] = [];
  const add = (identity: Identity | null): void => {
    if (identity === null) return;
    for (const known of found) if (known.kind === identity.kind && known.value === identity.value) return;
    found.push(identity);
  };
  if (message.userId !== undefined && message.userId !== null) add(normaliseIdentity('userId', message.userId));
  if (own === undefined && context === undefined) return found;
  const trait = (name: string): unknown => (own !== undefined && Object.hasOwn(own, name) ? own[name] : context?.[name]);
  add(normaliseIdentity('email', trait('email')));
  add(normaliseIdentity('phone', trait('phone')));
  for (const [kind, names] of CHAT_TRAITS) {
    for (const name of names) add(normaliseIdentity(kind, trait(name)));
  }
  return found;
}

/** Traits that are identities or lead state, not free-form traits. */
export const STATE_TRAITS: ReadonlySet<string> = new Set(['lifecycle_stage', 'lifecycleStage', 'lead_status', 'leadStatus']);
