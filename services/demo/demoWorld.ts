import type { DemoWindow } from './calendar.ts';
import { DAY, HOUR, workingTime } from './calendar.ts';
import type { FunnelDraw } from './funnel.ts';
import { drawFunnel } from './funnel.ts';
import type { Country, Industry, Seniority } from './people.ts';
import { companyRoots, companyStems, companySuffixes, countries, countryWeights, desktopAgents, emailSlug, idealIndustries, industries, mobileAgents, titles } from './people.ts';
import { allocatePhone } from './phones.ts';
import type { Random } from './random.ts';
import { createRandom, hex32, keyOf, scramble32 } from './random.ts';
import { repsByRegion, webinarTitles } from './sellerSite.ts';

export interface DemoOptions {
  /** How many contacts (people who identify and become leads). */
  readonly leads: number;
  readonly days: number;
  readonly seed: number;
  /** The first day; the window starts at its UTC midnight. */
  readonly start: Date;
}

export const demoLimits = { leads: { min: 1, max: 1_000_000 }, days: { min: 1, max: 3_650 }, seed: { min: 0, max: 4_294_967_295 } } as const;

export type Plan = 'starter' | 'growth' | 'enterprise';
export type Fit = 'ideal' | 'good' | 'weak';

export interface Account {
  readonly index: number;
  readonly groupId: string;
  readonly name: string;
  readonly domain: string;
  readonly industry: Industry;
  readonly employees: number;
  /** The plan it would buy, by size; it sets the deal amount. */
  readonly plan: Plan;
  readonly country: Country;
  readonly fit: Fit;
  readonly owner: string;
  /** The deal's amount in USD, carried by the account's first contact to reach opportunity. */
  readonly dealAmount: number;
  readonly officeIp: string;
  readonly contacts: Contact[];
}

export interface Device {
  readonly anonymousId: string;
  readonly userAgent: string;
  readonly ip: string;
  readonly mobile: boolean;
}

/** How a contact first identified. */
export type SignupPath = 'newsletter' | 'content' | 'demo' | 'trial' | 'webinar' | 'chat';

export interface Webinar {
  readonly id: string;
  readonly title: string;
  readonly slug: string;
  readonly startsAt: number;
}

export interface Contact {
  readonly kind: 'contact';
  /** Index among all people (contacts first, then visitors). */
  readonly index: number;
  /** Part of every messageId of this person. */
  readonly tag: string;
  readonly userId: string;
  readonly account: Account;
  readonly country: Country;
  readonly firstName: string;
  readonly lastName: string;
  readonly title: string;
  readonly seniority: Seniority;
  readonly email: string;
  readonly freeMail: boolean;
  readonly phone: string | null;
  readonly chatHandle: { readonly trait: 'wechat_id' | 'whatsapp_id'; readonly value: string } | null;
  /** The desktop, and for some a phone whose visits an alias call links later. */
  readonly devices: readonly Device[];
  readonly firstSeenAt: number;
  /** When the session in which they identify starts. */
  readonly signupAt: number;
  readonly signupPath: SignupPath;
  /** The webinar they registered for when they signed up through one. */
  readonly signupWebinar: Webinar | null;
  readonly anonymousVisits: number;
  readonly funnel: FunnelDraw;
  /** How an MQL that does not become an SQL is closed out, if it is. */
  readonly disqualifiedAs: 'unqualified' | 'bad_timing' | null;
}

/** Somebody who visits and never identifies. */
export interface Visitor {
  readonly kind: 'visitor';
  readonly index: number;
  readonly tag: string;
  readonly country: Country;
  readonly devices: readonly Device[];
  readonly firstSeenAt: number;
  readonly visits: number;
}

export type Person = Contact | Visitor;

export interface DemoWorld extends DemoWindow {
  readonly seed: number;
  /**
   * Prefix of every messageId, from all the options: a file loaded twice is recognised as
   * duplicates, and files generated with other options never share an id (nor a userId,
   * anonymousId or groupId, which are keyed the same way).
   */
  readonly idPrefix: string;
  readonly accounts: readonly Account[];
  readonly contacts: readonly Contact[];
  readonly visitors: readonly Visitor[];
  readonly webinars: readonly Webinar[];
}

/** Anonymous visitors who never identify, per contact. */
export const VISITORS_PER_CONTACT = 0.5;
/**
 * Contacts who sign up with a free-mail address, among those who are not the first of their
 * account to sign up (the first always uses a work address): about 15% of all contacts.
 */
export const FREE_MAIL_SHARE = 0.2;
const ACCOUNT_SIZES: readonly (readonly [number, number])[] = [
  [1, 8],
  [2, 18],
  [3, 20],
  [4, 17],
  [5, 13],
  [6, 9],
  [7, 6],
  [8, 4],
  [10, 3],
  [12, 2],
];
const FIT_PROPENSITY: Readonly<Record<Fit, number>> = { ideal: 1.35, good: 1, weak: 0.6 };
const SENIORITY_PROPENSITY: Readonly<Record<Seniority, number>> = { executive: 1.2, manager: 1.05, practitioner: 0.85 };
const DEAL_MEDIAN: Readonly<Record<Plan, number>> = { starter: 9_000, growth: 30_000, enterprise: 95_000 };
export const DEAL_RANGE = { min: 5_000, max: 250_000 } as const;

/**
 * The demo's world: accounts with their contacts, anonymous visitors, and the webinars of the
 * window. Pure: the same options give the same world. Journeys (`planJourney`) and messages
 * (`demoMessages`) are derived from it.
 *
 *   const world = buildDemoWorld({ leads: 500, days: 90, seed: 7, start: new Date('2026-01-01') });
 */
export function buildDemoWorld(options: DemoOptions): DemoWorld {
  checkOptions(options);
  const startMs = Date.UTC(options.start.getUTCFullYear(), options.start.getUTCMonth(), options.start.getUTCDate());
  const window = { startMs, endMs: startMs + options.days * DAY };
  const seed = options.seed;
  const key = keyOf('world', seed, options.leads, options.days, startMs);
  const webinars = scheduleWebinars(window);
  const names = new Set<string>();
  const domains = new Set<string>();
  const emails = new Set<string>();
  const accounts: Account[] = [];
  const contacts: Contact[] = [];
  const phoneCounters = new Map<string, number>();

  while (contacts.length < options.leads) {
    const random = createRandom(seed, 'account', accounts.length);
    const account = makeAccount(random, key, accounts.length, names, domains);
    accounts.push(account);
    const size = Math.min(random.weighted(ACCOUNT_SIZES), options.leads - contacts.length);
    const drafts = Array.from({ length: size }, (_, i) => draftContact(createRandom(seed, 'contact', contacts.length + i), account, window, webinars));
    // The first of an account to sign up uses their work address, so the account forms from
    // its domain; colleagues who use free mail join it through the group call.
    drafts.sort((a, b) => a.signupAt - b.signupAt);
    for (const [position, draft] of drafts.entries()) {
      const contact = finishContact(draft, { key, index: contacts.length, emails, phoneCounters, workMail: position === 0 });
      account.contacts.push(contact);
      contacts.push(contact);
    }
  }
  for (const account of accounts) assignDealAmount(account, seed);

  const visitorCount = Math.round(options.leads * VISITORS_PER_CONTACT);
  const visitors: Visitor[] = [];
  for (let i = 0; i < visitorCount; i++) visitors.push(makeVisitor(createRandom(seed, 'visitor', i), key, options.leads + i, window));

  return { ...window, seed, idPrefix: `demo-${hex32(key)}`, accounts, contacts, visitors, webinars };
}

function checkOptions(options: DemoOptions): void {
  for (const name of ['leads', 'days', 'seed'] as const) {
    const value = options[name];
    const { min, max } = demoLimits[name];
    if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}`);
  }
  if (Number.isNaN(options.start.getTime())) throw new RangeError('start must be a date');
}

/** A webinar every two weeks, Tuesdays or Thursdays at 16:00 UTC, from the end of the first week. */
function scheduleWebinars(window: DemoWindow): Webinar[] {
  const webinars: Webinar[] = [];
  let day = window.startMs + 6 * DAY;
  while (day + DAY < window.endMs) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 2 || weekday === 4) {
      const title = webinarTitles[webinars.length % webinarTitles.length]!;
      const startsAt = day + 16 * HOUR;
      const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      webinars.push({ id: `webinar-${new Date(startsAt).toISOString().slice(0, 10)}`, title, slug, startsAt });
      day += 13 * DAY;
    } else {
      day += DAY;
    }
  }
  return webinars;
}

function makeAccount(random: Random, key: number, index: number, names: Set<string>, domains: Set<string>): Account {
  const industry = random.pick(industries);
  const country = countryOf(random.weighted(countryWeights));
  let stem = '';
  let name = '';
  for (let attempt = 0; attempt < 20 && (name === '' || names.has(name)); attempt++) {
    stem = `${random.pick(companyStems)}${random.pick(companyRoots)}`;
    name = `${stem} ${random.pick(companySuffixes[industry])}`;
  }
  if (names.has(name)) name = `${name} ${index}`;
  names.add(name);
  const domain = uniqueDomain(domains, emailSlug(stem), emailSlug(name));
  const employees = Math.round(Math.min(50_000, Math.max(11, random.logNormal(280, 1.3))));
  const plan: Plan = employees < 100 ? 'starter' : employees < 1_000 ? 'growth' : 'enterprise';
  const fit: Fit = idealIndustries.has(industry) && employees >= 100 && employees <= 5_000 ? 'ideal' : employees < 50 || industry === 'Education' || industry === 'Energy' ? 'weak' : 'good';
  const region = country.code === 'US' || country.code === 'BR' ? 'americas' : country.code === 'CN' || country.code === 'JP' || country.code === 'AU' || country.code === 'IN' ? 'apac' : 'emea';
  const reps = repsByRegion[region];
  const id = scramble32(index, keyOf(key, 'account'));
  const dealAmount = Math.round(Math.min(DEAL_RANGE.max, Math.max(DEAL_RANGE.min, random.logNormal(DEAL_MEDIAN[plan], 0.45))) / 500) * 500;
  return {
    index,
    groupId: `acc_${hex32(id)}`,
    name,
    domain,
    industry,
    employees,
    plan,
    country,
    fit,
    owner: reps[index % reps.length]!,
    dealAmount,
    officeIp: `2001:db8:${(id >>> 16).toString(16)}:${(id & 0xffff).toString(16)}::${random.hex(4)}`,
    contacts: [],
  };
}

function uniqueDomain(taken: Set<string>, stem: string, full: string): string {
  const candidates = [stem, full];
  for (let n = 2; candidates.every((candidate) => taken.has(`${candidate}.example`)); n++) candidates.push(`${full}${n}`);
  const domain = `${candidates.find((candidate) => !taken.has(`${candidate}.example`))!}.example`;
  taken.add(domain);
  return domain;
}

function countryOf(code: string): Country {
  return countries.find((country) => country.code === code)!;
}

/** What a contact is before the account knows who signed up first (and so who may use free mail). */
type ContactDraft = Pick<
  Contact,
  'account' | 'country' | 'firstName' | 'lastName' | 'title' | 'seniority' | 'anonymousVisits' | 'firstSeenAt' | 'signupAt' | 'signupPath' | 'signupWebinar' | 'funnel' | 'disqualifiedAs'
> & {
  readonly random: Random;
  readonly wantsFreeMail: boolean;
  readonly remote: boolean;
  readonly secondDevice: boolean;
};

function draftContact(random: Random, account: Account, window: DemoWindow, webinars: readonly Webinar[]): ContactDraft {
  const country = random.chance(0.9) ? account.country : countryOf(random.weighted(countryWeights));
  const [title, seniority] = random.pick(titles);
  // Sign-ups fall anywhere in the window but the last hour; anonymous visits lead up to them.
  const signupAt = workingTime(random, window.startMs + HOUR, window.endMs - HOUR, country.utcOffsetHours);
  const anonymousVisits = random.weighted([
    [0, 15],
    [1, 35],
    [2, 25],
    [3, 15],
    [4, 10],
  ] as const);
  const leadIn = anonymousVisits === 0 ? 0 : (random.exponential(6) + 0.5 * anonymousVisits) * DAY;
  // Visits that would fall before the window are moved into its first days, not piled on its first instant.
  const firstSeenAt = signupAt - leadIn >= window.startMs ? Math.round(signupAt - leadIn) : workingTime(random, window.startMs, signupAt - HOUR, country.utcOffsetHours);
  const reachesLead = random.chance(0.7);
  const leadAtSignup = reachesLead && random.chance(0.6);
  const upcoming = webinars.filter((webinar) => webinar.startsAt > signupAt + DAY && webinar.startsAt < signupAt + 21 * DAY);
  let signupPath: SignupPath = leadAtSignup
    ? random.weighted([['content', 50], ['demo', 25], ['trial', 25]] as const)
    : random.weighted([['newsletter', 45], ['webinar', 35], ['chat', 20]] as const);
  if (signupPath === 'webinar' && upcoming.length === 0) signupPath = 'newsletter';
  const signupWebinar = signupPath === 'webinar' ? random.pick(upcoming) : null;
  const propensity = FIT_PROPENSITY[account.fit] * SENIORITY_PROPENSITY[seniority];
  const funnel = drawFunnel(random, { signupAt, endMs: window.endMs, propensity, leadAtSignup, reachesLead });
  return {
    random,
    account,
    country,
    firstName: random.pick(country.firstNames),
    lastName: random.pick(country.lastNames),
    title,
    seniority,
    wantsFreeMail: random.chance(FREE_MAIL_SHARE),
    remote: random.chance(0.25),
    secondDevice: random.chance(0.06),
    anonymousVisits,
    firstSeenAt,
    signupAt,
    signupPath,
    signupWebinar,
    funnel,
    disqualifiedAs: funnel.destined === 'mql' ? (random.chance(0.55) ? 'unqualified' : 'bad_timing') : null,
  };
}

function finishContact(
  draft: ContactDraft,
  context: { key: number; index: number; emails: Set<string>; phoneCounters: Map<string, number>; workMail: boolean },
): Contact {
  const { random, wantsFreeMail, remote, secondDevice, ...person } = draft;
  const { account, country } = person;
  const freeMail = wantsFreeMail && !context.workMail;
  const email = uniqueEmail(random, context.emails, person.firstName, person.lastName, freeMail ? random.pick(country.freeMail) : account.domain, freeMail);
  const phone = country.phones !== null && random.chance(0.45) ? allocatePhone(country.phones, context.phoneCounters) : null;
  let chatHandle: Contact['chatHandle'] = null;
  if (country.chatTrait === 'wechat_id' && random.chance(0.7)) chatHandle = { trait: 'wechat_id', value: `wxid_${hex32(scramble32(context.index, keyOf(context.key, 'wechat')))}` };
  if (country.chatTrait === 'whatsapp_id' && phone !== null && random.chance(0.3)) chatHandle = { trait: 'whatsapp_id', value: phone.replace(/[^+\d]/g, '') };
  const devices: Device[] = [makeDevice(random, context.key, context.index, 0, remote ? null : account.officeIp)];
  if (secondDevice) devices.push(makeDevice(random, context.key, context.index, 1, null));
  return {
    ...person,
    kind: 'contact',
    index: context.index,
    tag: `c${context.index}`,
    userId: `usr_${hex32(scramble32(context.index, keyOf(context.key, 'user')))}`,
    email,
    freeMail,
    phone,
    chatHandle,
    devices,
  };
}

function uniqueEmail(random: Random, taken: Set<string>, firstName: string, lastName: string, domain: string, freeMail: boolean): string {
  const first = emailSlug(firstName);
  const last = emailSlug(lastName);
  const local = freeMail
    ? random.weighted([[`${first}.${last}`, 4], [`${first}${last}${random.int(1, 99)}`, 3], [`${first[0]}${last}${random.int(70, 99)}`, 2]] as const)
    : random.weighted([[`${first}.${last}`, 6], [`${first[0]}${last}`, 3], [first, 1]] as const);
  let email = `${local}@${domain}`;
  for (let n = 2; taken.has(email); n++) email = `${local}${n}@${domain}`;
  taken.add(email);
  return email;
}

/** Device ids are unique by construction: the scrambled (person, device) pair fills the first eight digits. */
function makeDevice(random: Random, key: number, person: number, slot: 0 | 1, officeIp: string | null): Device {
  const head = hex32(scramble32(person * 2 + slot, keyOf(key, 'device')));
  const anonymousId = `${head}-${random.hex(4)}-4${random.hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${random.hex(3)}-${random.hex(12)}`;
  const mobile = slot === 1;
  const ip = officeIp ?? `${random.pick(['192.0.2', '198.51.100', '203.0.113'])}.${random.int(1, 254)}`;
  return { anonymousId, userAgent: random.pick(mobile ? mobileAgents : desktopAgents), ip, mobile };
}

function makeVisitor(random: Random, key: number, index: number, window: DemoWindow): Visitor {
  const country = countryOf(random.weighted(countryWeights));
  return {
    kind: 'visitor',
    index,
    tag: `v${index}`,
    country,
    devices: [makeDevice(random, key, index, random.chance(0.3) ? 1 : 0, null)],
    firstSeenAt: workingTime(random, window.startMs, window.endMs - HOUR, country.utcOffsetHours),
    visits: random.weighted([[1, 70], [2, 22], [3, 8]] as const),
  };
}

/**
 * One deal per account: the first of its contacts to reach opportunity carries the deal's amount
 * (and, when it closes, the won amount after a discount), so summing amounts counts each deal once.
 */
function assignDealAmount(account: Account, seed: number): void {
  const steps = account.contacts.flatMap((contact) => contact.funnel.steps.filter((step) => step.stage === 'opportunity').map((step) => ({ contact, at: step.at })));
  const primary = steps.sort((a, b) => a.at - b.at)[0]?.contact;
  if (primary === undefined) return;
  const discount = 0.85 + 0.15 * createRandom(seed, 'discount', account.index).next();
  for (const step of primary.funnel.steps) {
    if (step.stage === 'opportunity') step.amount = account.dealAmount;
    if (step.stage === 'customer') step.amount = Math.round((account.dealAmount * discount) / 100) * 100;
  }
}
