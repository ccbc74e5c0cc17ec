import type { Arrival } from './arrivals.ts';
import { firstArrival, returnArrival } from './arrivals.ts';
import { DAY, HOUR, MINUTE, workingTime } from './calendar.ts';
import type { Contact, DemoWorld, Person, Visitor, Webinar } from './demoWorld.ts';
import type { EmailCampaign } from './emailCampaigns.ts';
import { newsletter, nurtureEmail, webinarInvite } from './emailCampaigns.ts';
import type { StageStep } from './funnel.ts';
import { stages } from './funnel.ts';
import type { Random } from './random.ts';
import { createRandom } from './random.ts';

/** What a browser visit is for, beyond looking around. */
export type VisitGoal =
  | { readonly kind: 'browse' }
  | { readonly kind: 'read' }
  | { readonly kind: 'chat' }
  | { readonly kind: 'download' }
  | { readonly kind: 'demoRequest' }
  | { readonly kind: 'webinarRegistration'; readonly webinar: Webinar }
  | { readonly kind: 'meetingBooked'; readonly meetingId: string; readonly meetingAt: number };

export type LeadStatus = 'new' | 'attempting' | 'connected' | 'qualified' | 'unqualified' | 'bad_timing';

/** What the seller's back office (CRM, webinar platform, product) reports about a contact. */
export type BackOfficeEvent =
  | { readonly kind: 'stage'; readonly step: StageStep }
  | { readonly kind: 'owner'; readonly owner: string }
  | { readonly kind: 'status'; readonly status: LeadStatus }
  | { readonly kind: 'meetingHeld'; readonly meetingId: string; readonly meetingType: 'discovery' | 'demo' }
  | { readonly kind: 'callCompleted' }
  | { readonly kind: 'webinarAttended'; readonly webinar: Webinar }
  | { readonly kind: 'trialEnded' };

/**
 * One sitting of a person's journey: a browser visit, the visit in which they sign up, an email
 * they open, a product login, an alias from their phone, or one back-office event. All of a
 * session's messages fall within minutes of its start.
 */
export type Session =
  | { readonly kind: 'visit'; readonly at: number; readonly device: number; readonly known: boolean; readonly arrival: Arrival; readonly goal: VisitGoal }
  | { readonly kind: 'signup'; readonly at: number; readonly arrival: Arrival }
  | { readonly kind: 'email'; readonly at: number; readonly campaign: EmailCampaign; readonly clicked: boolean; readonly unsubscribes: boolean; readonly registers: Webinar | null }
  | { readonly kind: 'webinarOnDemand'; readonly at: number; readonly webinar: Webinar }
  | { readonly kind: 'product'; readonly at: number; readonly invites: boolean }
  | { readonly kind: 'alias'; readonly at: number }
  | { readonly kind: 'backOffice'; readonly at: number; readonly event: BackOfficeEvent };

/** Share of webinar registrants who attend live; about a third of the others watch the recording. */
export const WEBINAR_ATTENDANCE = 0.5;
const ON_DEMAND_SHARE = 0.3;
/** Browser sessions of one person closer than this are one sitting: engagement that would overlap is left out. */
const SITTING = 40 * MINUTE;
const TRIAL_DAYS = 14;

/**
 * The sessions of a person's journey, in time order, all before the window's end. Pure and
 * cheap (no messages are built): the ad-cost pass and the message stream both derive from it,
 * so the clicks in the cost file and the paid visits in the event file agree.
 */
export function planJourney(world: DemoWorld, person: Person): Session[] {
  const random = createRandom(world.seed, 'journey', person.index);
  const sessions = person.kind === 'visitor' ? planVisitor(random, world, person) : planContact(random, world, person);
  return sessions.filter((session) => session.at < world.endMs).sort((a, b) => a.at - b.at);
}

function planVisitor(random: Random, world: DemoWorld, visitor: Visitor): Session[] {
  const sessions: Session[] = [];
  const { searchReferrer, utcOffsetHours } = visitor.country;
  for (let i = 0; i < visitor.visits; i++) {
    const at = i === 0 ? visitor.firstSeenAt : workingTime(random, visitor.firstSeenAt + DAY, Math.min(world.endMs, visitor.firstSeenAt + 21 * DAY), utcOffsetHours);
    if (i > 0 && at <= visitor.firstSeenAt) break;
    const arrival = i === 0 ? firstArrival(random, searchReferrer) : returnArrival(random, searchReferrer);
    sessions.push({ kind: 'visit', at, device: 0, known: false, arrival, goal: random.chance(0.3) ? { kind: 'read' } : { kind: 'browse' } });
  }
  return sessions;
}

function planContact(random: Random, world: DemoWorld, contact: Contact): Session[] {
  const { searchReferrer, utcOffsetHours: tz } = contact.country;
  const fixed: Session[] = [];
  const signupAt = contact.signupAt;
  const end = world.endMs;

  // Before they identify: anonymous visits, the first one where they were first seen.
  for (let i = 0; i < contact.anonymousVisits; i++) {
    const at = i === 0 ? contact.firstSeenAt : workingTime(random, contact.firstSeenAt + 2 * HOUR, signupAt - HOUR, tz);
    if (i > 0 && (at <= contact.firstSeenAt || at >= signupAt - HOUR)) continue;
    const device = i > 0 && contact.devices.length > 1 && random.chance(0.5) ? 1 : 0;
    const arrival = i === 0 ? firstArrival(random, searchReferrer) : returnArrival(random, searchReferrer);
    fixed.push({ kind: 'visit', at, device, known: false, arrival, goal: anonymousGoal(random) });
  }
  fixed.push({ kind: 'signup', at: signupAt, arrival: contact.anonymousVisits === 0 ? firstArrival(random, searchReferrer) : returnArrival(random, searchReferrer) });

  // Their phone: an anonymous visit, then an alias call when they sign in there.
  let aliasAt = Infinity;
  if (contact.devices.length > 1) {
    aliasAt = workingTime(random, signupAt + 2 * HOUR, end - HOUR, tz);
    const mobileVisit = workingTime(random, contact.firstSeenAt, aliasAt - HOUR, tz);
    if (aliasAt > signupAt && mobileVisit < aliasAt - HOUR) {
      fixed.push({ kind: 'visit', at: mobileVisit, device: 1, known: false, arrival: returnArrival(random, searchReferrer), goal: { kind: 'browse' } });
      fixed.push({ kind: 'alias', at: aliasAt });
    } else {
      aliasAt = Infinity;
    }
  }

  fixed.push(...funnelSessions(random, world, contact));
  if (contact.signupWebinar !== null) fixed.push(...webinarFollowUp(random, world, contact.signupWebinar));
  if (contact.signupPath === 'trial') fixed.push({ kind: 'backOffice', at: signupAt + TRIAL_DAYS * DAY, event: { kind: 'trialEnded' } });

  // Engagement that would overlap another sitting is left out, with what follows from it.
  const sittings = fixed.filter(isBrowserSession).map((session) => session.at);
  const kept: Session[] = [];
  for (const group of engagementSessions(random, world, contact, aliasAt)) {
    const first = group[0]!;
    if (isBrowserSession(first) && sittings.some((at) => Math.abs(at - first.at) < SITTING)) continue;
    if (isBrowserSession(first)) sittings.push(first.at);
    kept.push(...group);
  }
  return [...fixed, ...kept];
}

function anonymousGoal(random: Random): VisitGoal {
  return random.weighted<VisitGoal>([
    [{ kind: 'browse' }, 55],
    [{ kind: 'read' }, 37],
    [{ kind: 'chat' }, 8],
  ]);
}

/**
 * Stage changes and what leads to them: a gated download before `lead` (when it comes after
 * sign-up), a demo request, a pricing chat or a download before `mql`, then the owner and the
 * lead status; a booked and a held discovery meeting before `sql`, a demo before `opportunity`,
 * a last call before `customer`. An MQL that goes no further is closed out as unqualified or bad timing.
 */
function funnelSessions(random: Random, world: DemoWorld, contact: Contact): Session[] {
  const sessions: Session[] = [];
  const office = (at: number, event: BackOfficeEvent): void => void sessions.push({ kind: 'backOffice', at, event });
  const visit = (at: number, goal: VisitGoal): void => void sessions.push({ kind: 'visit', at, device: 0, known: true, arrival: returnArrival(random, contact.country.searchReferrer), goal });
  const steps = contact.funnel.steps;
  const stepAt = (stage: StageStep['stage']): number | undefined => steps.find((step) => step.stage === stage)?.at;
  const sqlAt = stepAt('sql');
  let meetingBookedAt = Infinity;
  if (sqlAt !== undefined) {
    const mqlAt = stepAt('mql')!;
    meetingBookedAt = Math.max(mqlAt + 30 * MINUTE, sqlAt - Math.round(random.between(1, 6) * DAY));
  }
  for (const step of steps) {
    const at = step.at;
    switch (step.stage) {
      case 'subscriber':
        break;
      case 'lead':
        if (at - contact.signupAt > HOUR) visit(at - minutes(random, 3, 20), { kind: 'download' });
        break;
      case 'mql': {
        visit(at - minutes(random, 5, 45), random.weighted<VisitGoal>([[{ kind: 'demoRequest' }, 35], [{ kind: 'chat' }, 35], [{ kind: 'download' }, 30]]));
        office(at + MINUTE, { kind: 'owner', owner: contact.account.owner });
        office(at + 2 * MINUTE, { kind: 'status', status: 'new' });
        const attemptingAt = at + Math.round(random.between(2, 30) * HOUR);
        if (attemptingAt < meetingBookedAt - 10 * MINUTE) office(attemptingAt, { kind: 'status', status: 'attempting' });
        if (contact.disqualifiedAs !== null) office(at + Math.round(random.between(7, 25) * DAY), { kind: 'status', status: contact.disqualifiedAs });
        break;
      }
      case 'sql': {
        const meetingId = `mtg-${contact.tag}-discovery`;
        const heldAt = at - minutes(random, 10, 40);
        visit(meetingBookedAt, { kind: 'meetingBooked', meetingId, meetingAt: heldAt });
        office(meetingBookedAt + 2 * MINUTE, { kind: 'status', status: 'connected' });
        office(heldAt, { kind: 'meetingHeld', meetingId, meetingType: 'discovery' });
        office(at + MINUTE, { kind: 'status', status: 'qualified' });
        break;
      }
      case 'opportunity':
        office(at - minutes(random, 30, 90), { kind: 'meetingHeld', meetingId: `mtg-${contact.tag}-demo`, meetingType: 'demo' });
        break;
      case 'customer':
        office(at - minutes(random, 60, 180), { kind: 'callCompleted' });
        break;
      default: {
        const unexpected: never = step.stage;
        throw new Error(`unexpected stage ${String(unexpected)}`);
      }
    }
    office(at, { kind: 'stage', step });
  }
  return sessions.filter((session) => session.at < world.endMs);
}

/** A registrant attends live, or maybe watches the recording later. */
function webinarFollowUp(random: Random, world: DemoWorld, webinar: Webinar): Session[] {
  if (random.chance(WEBINAR_ATTENDANCE)) return [{ kind: 'backOffice', at: webinar.startsAt + minutes(random, 0, 8), event: { kind: 'webinarAttended', webinar } }];
  if (!random.chance(ON_DEMAND_SHARE)) return [];
  const at = webinar.startsAt + Math.round(random.between(1, 7) * DAY);
  return at < world.endMs ? [{ kind: 'webinarOnDemand', at, webinar }] : [];
}

/**
 * After sign-up: emails opened (and some clicked), return visits, webinar registrations and, for
 * trial users, product logins; more of them the further the contact goes, until a while after
 * their last stage change. Each group is a session and what follows from it (a registration and
 * its attendance).
 */
function engagementSessions(random: Random, world: DemoWorld, contact: Contact, aliasAt: number): Session[][] {
  const { searchReferrer, utcOffsetHours: tz } = contact.country;
  const depth = stages.indexOf(contact.funnel.destined);
  const lastStep = contact.funnel.steps[contact.funnel.steps.length - 1]!.at;
  const activeUntil = Math.min(world.endMs - HOUR, Math.max(contact.signupAt + 3 * DAY, lastStep) + Math.round(random.exponential(20) * DAY));
  const count = Math.min(14, 1 + random.poisson(1.5 + 1.2 * depth));
  const times = Array.from({ length: count }, () => workingTime(random, contact.signupAt + 2 * HOUR, activeUntil, tz)).sort((a, b) => a - b);
  const groups: Session[][] = [];
  let nurtured = 0;
  let unsubscribed = false;
  const registered = new Set<string>();
  const upcomingWebinar = (at: number): Webinar | undefined =>
    world.webinars.find((webinar) => webinar.startsAt > at + DAY && webinar.startsAt < at + 14 * DAY && !registered.has(webinar.id) && webinar.id !== contact.signupWebinar?.id);

  for (const at of times) {
    if (at <= contact.signupAt + HOUR) continue;
    const kind = random.weighted([
      ['email', 42],
      ['visit', 32],
      ['webinar', 14],
      ['product', contact.signupPath === 'trial' ? 12 : 0],
    ] as const);
    const webinar = upcomingWebinar(at);
    if (kind === 'webinar' && webinar !== undefined) {
      registered.add(webinar.id);
      // Half of the registrations come from the invitation email, the others from the site.
      const registration: Session =
        !unsubscribed && random.chance(0.5)
          ? { kind: 'email', at, campaign: webinarInvite(webinar), clicked: true, unsubscribes: false, registers: webinar }
          : { kind: 'visit', at, device: 0, known: true, arrival: returnArrival(random, searchReferrer), goal: { kind: 'webinarRegistration', webinar } };
      groups.push([registration, ...webinarFollowUp(random, world, webinar)]);
    } else if ((kind === 'email' || kind === 'webinar') && !unsubscribed) {
      const campaign = (random.chance(0.5) ? nurtureEmail(nurtured++) : null) ?? newsletter(at);
      // Nobody gets email after they unsubscribe.
      unsubscribed = random.chance(0.02);
      groups.push([{ kind: 'email', at, campaign, clicked: !unsubscribed && random.chance(0.3), unsubscribes: unsubscribed, registers: null }]);
    } else if (kind === 'product') {
      groups.push([{ kind: 'product', at, invites: random.chance(0.15) }]);
    } else {
      const device = contact.devices.length > 1 && random.chance(0.4) ? 1 : 0;
      const known = device === 0 || at > aliasAt;
      const goal = random.weighted<VisitGoal>([[{ kind: 'browse' }, 45], [{ kind: 'read' }, 45], [{ kind: 'chat' }, 10]]);
      groups.push([{ kind: 'visit', at, device, known, arrival: returnArrival(random, searchReferrer), goal }]);
    }
  }
  return groups;
}

function isBrowserSession(session: Session): boolean {
  return session.kind === 'visit' || session.kind === 'signup' || (session.kind === 'email' && session.clicked);
}

function minutes(random: Random, min: number, max: number): number {
  return Math.round(random.between(min, max) * MINUTE);
}

/** The paid arrivals of a plan: the ad clicks the cost file has to account for. */
export function paidArrivals(sessions: readonly Session[]): { readonly at: number; readonly campaign: string }[] {
  const paid: { at: number; campaign: string }[] = [];
  for (const session of sessions) {
    if ((session.kind === 'visit' || session.kind === 'signup') && session.arrival.kind === 'paid') paid.push({ at: session.at, campaign: session.arrival.campaign.name });
  }
  return paid;
}
