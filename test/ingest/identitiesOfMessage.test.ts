import { describe, expect, it } from 'vitest';
import { identitiesOfMessage } from '../../services/ingest/identitiesOfMessage.ts';
import { parseSegmentMessage } from '../../services/ingest/index.ts';

function message(raw: Record<string, unknown>) {
  const parsed = parseSegmentMessage({ messageId: 'm-1', ...raw });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.message;
}

describe('identitiesOfMessage', () => {
  it('names the userId, then the email, phone and chat handles of the traits, normalised', () => {
    const identities = identitiesOfMessage(
      message({ type: 'identify', userId: 42, traits: { email: ' Jane@Acme.COM ', phone: '+1 (555) 010-9999', wechat_id: 'jane_wx', wecomId: 'jane_wc', telegram: 'jane_tg' } }),
    );
    expect(identities).toEqual([
      { kind: 'userId', value: '42' },
      { kind: 'email', value: 'jane@acme.com' },
      { kind: 'phone', value: '+15550109999' },
      { kind: 'wechat', value: 'jane_wx' },
      { kind: 'wecom', value: 'jane_wc' },
      { kind: 'telegram', value: 'jane_tg' },
    ]);
  });

  it("takes an identify's own traits over the context's, and the context's where the call has none", () => {
    const identities = identitiesOfMessage(
      message({ type: 'identify', userId: 'u-1', traits: { email: 'own@acme.com' }, context: { traits: { email: 'context@acme.com', phone: '+44 20 7946 0000' } } }),
    );
    expect(identities).toEqual([
      { kind: 'userId', value: 'u-1' },
      { kind: 'email', value: 'own@acme.com' },
      { kind: 'phone', value: '+442079460000' },
    ]);
  });

  it("reads a track call's context traits, never its properties", () => {
    const identities = identitiesOfMessage(message({ type: 'track', anonymousId: 'a-1', event: 'Pricing Viewed', properties: { email: 'no@acme.com' }, context: { traits: { email: 'yes@acme.com' } } }));
    expect(identities).toEqual([{ kind: 'email', value: 'yes@acme.com' }]);
  });

  it('names each identity once, and none that is unusable', () => {
    const identities = identitiesOfMessage(message({ type: 'identify', userId: 'u-2', traits: { email: 'not an email', phone: '12', wechat: 'same', wechat_id: 'same', line_id: '' } }));
    expect(identities).toEqual([
      { kind: 'userId', value: 'u-2' },
      { kind: 'wechat', value: 'same' },
    ]);
    expect(identitiesOfMessage(message({ type: 'track', anonymousId: 'a-2', event: 'Content Viewed' }))).toEqual([]);
  });
});
