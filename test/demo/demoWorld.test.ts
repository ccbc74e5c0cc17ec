/**
 * The demo world: given the options, when the world is built, then accounts of several contacts
 * with business domains, contacts whose identities are their own (so identity resolution never
 * merges two of them), and fictional contact details throughout.
 */
import { describe, expect, it } from 'vitest';
import { buildDemoWorld } from '../../services/demo/index.ts';
import { defaultFreeMailDomains } from '../../services/leads/index.ts';

const world = buildDemoWorld({ leads: 3_000, days: 90, seed: 4, start: new Date('2026-01-01') });
const freeMail = new Set(defaultFreeMailDomains);

describe('accounts', () => {
  it('hold the requested number of leads, several contacts each', () => {
    expect(world.contacts.length).toBe(3_000);
    expect(world.accounts.reduce((sum, account) => sum + account.contacts.length, 0)).toBe(3_000);
    const sizes = world.accounts.map((account) => account.contacts.length);
    expect(3_000 / world.accounts.length).toBeGreaterThan(3);
    expect(sizes.filter((size) => size >= 2).length / sizes.length).toBeGreaterThan(0.8);
  });

  it('have unique names and domains under the reserved .example TLD, an industry, a size and the plan that size buys', () => {
    expect(new Set(world.accounts.map((account) => account.name)).size).toBe(world.accounts.length);
    expect(new Set(world.accounts.map((account) => account.domain)).size).toBe(world.accounts.length);
    for (const account of world.accounts) {
      expect(account.domain).toMatch(/^[a-z0-9-]+\.example$/);
      expect(account.employees).toBeGreaterThanOrEqual(11);
      expect(account.plan).toBe(account.employees < 100 ? 'starter' : account.employees < 1_000 ? 'growth' : 'enterprise');
    }
  });
});

describe('contacts', () => {
  it('use a work email on their account domain, or a free-mail address (about 15%), never both kinds in the first of an account to sign up', () => {
    for (const contact of world.contacts) {
      const domain = contact.email.split('@')[1]!;
      if (contact.freeMail) expect(freeMail.has(domain)).toBe(true);
      else expect(domain).toBe(contact.account.domain);
    }
    const share = world.contacts.filter((contact) => contact.freeMail).length / world.contacts.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.2);
    for (const account of world.accounts) {
      const first = [...account.contacts].sort((a, b) => a.signupAt - b.signupAt)[0]!;
      expect(first.freeMail).toBe(false);
    }
  });

  it('never share an identity, so no two of them are merged', () => {
    const identities = world.contacts.flatMap((contact) => [
      `userId:${contact.userId}`,
      `email:${contact.email}`,
      ...(contact.phone === null ? [] : [`phone:${contact.phone.replace(/[^+\d]/g, '')}`]),
      ...(contact.chatHandle === null ? [] : [`${contact.chatHandle.trait}:${contact.chatHandle.value}`]),
      ...contact.devices.map((device) => `anonymousId:${device.anonymousId}`),
    ]);
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('have fictional phones (NANP 555-01xx, Ofcom drama ranges), some a WeChat or WhatsApp handle', () => {
    const phones = world.contacts.flatMap((contact) => (contact.phone === null ? [] : [contact.phone]));
    expect(phones.length).toBeGreaterThan(300);
    for (const phone of phones) expect(phone).toMatch(/^\+1 \d{3}-555-01\d{2}$|^\+44 (20 7946 0|1\d{2} 49[68] 0)\d{3}$/);
    expect(world.contacts.some((contact) => contact.chatHandle?.trait === 'wechat_id')).toBe(true);
    expect(world.contacts.some((contact) => contact.chatHandle?.trait === 'whatsapp_id')).toBe(true);
  });

  it('are first seen no later than they sign up, inside the window', () => {
    for (const contact of world.contacts) {
      expect(contact.firstSeenAt).toBeGreaterThanOrEqual(world.startMs);
      expect(contact.firstSeenAt).toBeLessThanOrEqual(contact.signupAt);
      expect(contact.signupAt).toBeLessThan(world.endMs);
    }
  });
});

describe('options', () => {
  it.each([
    [{ leads: 0 }, /leads must be a whole number from 1/],
    [{ days: 1.5 }, /days must be a whole number/],
    [{ seed: -1 }, /seed must be a whole number/],
    [{ start: new Date('not a date') }, /start must be a date/],
  ])('given %o, then it refuses to build', (override, message) => {
    expect(() => buildDemoWorld({ leads: 10, days: 10, seed: 1, start: new Date('2026-01-01'), ...override })).toThrow(message);
  });
});
