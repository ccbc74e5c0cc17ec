import { z } from 'zod';

/**
 * The ways one person is known: Segment's userId, an email address, a phone number, or a handle
 * on a chat network. Values are stored normalised (see `normaliseIdentity`) so that
 * `Jane@Acme.com` and `jane@acme.com ` are one identity.
 */
export const identityKinds = ['userId', 'email', 'phone', 'wechat', 'wecom', 'whatsapp', 'line', 'telegram'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export const identitySchema = z.object({
  kind: z.enum(identityKinds),
  value: z.string().min(1).max(512),
});
export type Identity = z.infer<typeof identitySchema>;

/** Normalises a raw value of a kind; returns null when nothing usable is left. */
export function normaliseIdentity(kind: IdentityKind, raw: unknown): Identity | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  let value = String(raw).trim();
  switch (kind) {
    case 'email':
      value = value.toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return null;
      break;
    case 'phone': {
      const plus = value.startsWith('+') ? '+' : '';
      value = plus + value.replace(/\D/g, '');
      if (value.replace('+', '').length < 5) return null;
      break;
    }
    case 'userId':
    case 'wechat':
    case 'wecom':
    case 'whatsapp':
    case 'line':
    case 'telegram':
      break;
    default: {
      const unknownKind: never = kind;
      return unknownKind;
    }
  }
  if (value.length === 0 || value.length > 512) return null;
  return { kind, value };
}

/** `email:jane@acme.com`: the key an identity is indexed under. */
export function identityKey(identity: Identity): string {
  return `${identity.kind}:${identity.value}`;
}
