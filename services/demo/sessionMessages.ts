import type { Arrival } from './arrivals.ts';
import { landingPage, landingQuery, siteUrl } from './arrivals.ts';
import { isoTime, SECOND } from './calendar.ts';
import type { DemoContext, DraftMessage, TimedDraft } from './demoMessage.ts';
import type { Contact, Device, Person, Webinar } from './demoWorld.ts';
import { webinarPage } from './emailCampaigns.ts';
import type { BackOfficeEvent, Session, VisitGoal } from './journeyPlan.ts';
import type { Random } from './random.ts';
import type { ContentAsset, SitePage } from './sellerSite.ts';
import { browsePages, chatAgents, chatFollowUps, chatOpeners, chatReplies, gatedContent, pages, site, viewableContent } from './sellerSite.ts';

const BROWSER_LIBRARY = { name: 'analytics.js', version: 'npm:next-1.84.3' } as const;
const SERVER_CONTEXT: DemoContext = { library: { name: '@segment/analytics-node', version: '3.1.0' } };

/**
 * The messages of one session, each with its time; the stream gives them ids. Browser calls
 * carry the page, device, locale and campaign as analytics.js sends them; back-office tracks
 * carry the userId only.
 */
export function sessionMessages(random: Random, person: Person, session: Session): TimedDraft[] {
  const sitting = new Sitting(random, person, session.at);
  switch (session.kind) {
    case 'visit':
      sitting.browseOn(session.device, session.known);
      sitting.visit(session.arrival, session.goal);
      break;
    case 'signup':
      sitting.browseOn(0, false);
      sitting.signup(contactOf(person), session.arrival);
      break;
    case 'email':
      sitting.email(contactOf(person), session);
      break;
    case 'webinarOnDemand':
      sitting.server(contactOf(person), 'Webinar On-Demand Viewed', { webinar_id: session.webinar.id, webinar_title: session.webinar.title, watched_minutes: random.int(8, 50) });
      break;
    case 'product':
      sitting.browseOn(0, true);
      sitting.product(session.invites);
      break;
    case 'alias':
      sitting.alias(contactOf(person));
      break;
    case 'backOffice':
      sitting.backOffice(contactOf(person), session.event);
      break;
    default: {
      const unexpected: never = session;
      throw new Error(`unexpected session ${JSON.stringify(unexpected)}`);
    }
  }
  return sitting.drafts;
}

function contactOf(person: Person): Contact {
  if (person.kind !== 'contact') throw new Error(`${person.tag} is an anonymous visitor: only contacts sign up`);
  return person;
}

interface OpenPage {
  readonly page: SitePage;
  readonly url: string;
  readonly context: DemoContext;
}

/** One sitting's clock, browser and page, and the drafts it has written so far. */
class Sitting {
  readonly drafts: TimedDraft[] = [];
  readonly #random: Random;
  readonly #person: Person;
  #at: number;
  #device: Device | null = null;
  #userId: string | null = null;
  #open: OpenPage | null = null;

  constructor(random: Random, person: Person, at: number) {
    this.#random = random;
    this.#person = person;
    this.#at = at;
  }

  browseOn(slot: number, known: boolean): void {
    this.#device = this.#person.devices[slot] ?? this.#person.devices[0]!;
    this.#userId = known && this.#person.kind === 'contact' ? this.#person.userId : null;
  }

  /** A visit: the landing page, a look around, then what the visit was for. */
  visit(arrival: Arrival, goal: VisitGoal): void {
    const random = this.#random;
    this.land(arrival);
    const wander = goal.kind === 'browse' ? random.weighted([[0, 30], [1, 30], [2, 25], [3, 15]] as const) : random.int(0, 1);
    for (let i = 0; i < wander; i++) this.navigate(random.weighted(browsePages));
    this.pursue(goal);
  }

  land(arrival: Arrival): void {
    const query = landingQuery(this.#random, arrival);
    this.#show(landingPage(this.#random, arrival), query.search, query.referrer, query.campaign ?? undefined);
  }

  navigate(page: SitePage): void {
    if (this.#open?.page.path === page.path) return;
    this.#pause(15, 150);
    this.#show(page, '', this.#open?.url ?? '', undefined);
  }

  pursue(goal: VisitGoal): void {
    const random = this.#random;
    switch (goal.kind) {
      case 'browse':
        return;
      case 'read': {
        const asset = this.#open !== null ? viewableContent.find((content) => content.page.path === this.#open!.page.path) : undefined;
        this.readContent(asset ?? random.pick(viewableContent));
        return;
      }
      case 'chat':
        this.navigate(pages.pricing);
        this.chat(null);
        return;
      case 'download':
        this.download(random.pick(gatedContent), null);
        return;
      case 'demoRequest':
        this.requestDemo(null);
        return;
      case 'webinarRegistration':
        this.registerForWebinar(goal.webinar, null);
        return;
      case 'meetingBooked':
        this.navigate(pages.demo);
        this.#pause(40, 180);
        this.track('Meeting Booked', { meeting_id: goal.meetingId, meeting_type: 'discovery', scheduled_for: isoTime(goal.meetingAt), owner_id: contactOf(this.#person).account.owner });
        return;
      default: {
        const unexpected: never = goal;
        throw new Error(`unexpected goal ${JSON.stringify(unexpected)}`);
      }
    }
  }

  readContent(asset: ContentAsset): void {
    this.navigate(asset.page);
    this.#pause(5, 30);
    this.track('Content Viewed', { content_id: asset.id, title: asset.title, content_type: asset.type });
  }

  /**
   * The forms below run `identify` (when the form is how the person signs up) as they are sent,
   * before the form's own events, as sites call analytics.identify in the submit handler.
   */
  download(asset: ContentAsset, identify: (() => void) | null): void {
    this.navigate(asset.page);
    this.#pause(20, 90);
    identify?.();
    this.track('Form Submitted', { form_id: `gate-${asset.id}`, form_type: 'content_download' });
    this.track('Content Downloaded', { content_id: asset.id, title: asset.title, content_type: asset.type });
  }

  requestDemo(identify: (() => void) | null): void {
    this.navigate(pages.demo);
    this.#pause(30, 120);
    identify?.();
    this.track('Form Submitted', { form_id: 'demo-request', form_type: 'demo_request' });
    this.track('Demo Requested', { form_id: 'demo-request', team_size: this.#random.pick(['1-10', '11-50', '51-200', '200+']) });
  }

  registerForWebinar(webinar: Webinar, identify: (() => void) | null): void {
    this.navigate(webinarPage(webinar));
    this.#pause(20, 90);
    identify?.();
    this.track('Form Submitted', { form_id: `register-${webinar.id}`, form_type: 'webinar_registration' });
    this.track('Webinar Registered', { webinar_id: webinar.id, webinar_title: webinar.title, starts_at: isoTime(webinar.startsAt) });
  }

  /** Segment's Live Chat spec: the visitor opens, agent and visitor take turns; `identify` runs when they leave their email. */
  chat(identify: (() => void) | null): void {
    const random = this.#random;
    const agent = random.pick(chatAgents);
    const conversation = `conv_${random.hex(12)}`;
    const started = this.#at;
    const line = { conversation_id: conversation, agent_id: agent.id, agent_name: agent.name };
    this.#pause(10, 60);
    this.track('Live Chat Conversation Started', { ...line, message_body: random.pick(chatOpeners) });
    const turns = random.int(1, 3);
    for (let turn = 0; turn < turns; turn++) {
      this.#pause(15, 60);
      this.track('Live Chat Message Received', { ...line, message_body: random.pick(chatReplies) });
      this.#pause(20, 90);
      this.track('Live Chat Message Sent', { ...line, message_body: random.pick(chatFollowUps) });
    }
    identify?.();
    this.#pause(10, 40);
    this.track('Live Chat Conversation Ended', { conversation_id: conversation, agent_id: agent.id, conversation_duration: Math.round((this.#at - started) / SECOND) });
  }

  /** The visit in which a contact identifies: pages, the form, identify, group, what the form was for. */
  signup(contact: Contact, arrival: Arrival): void {
    const random = this.#random;
    const identify = (): void => this.identify(contact);
    this.land(arrival);
    if (random.chance(0.5)) this.navigate(random.weighted(browsePages));
    switch (contact.signupPath) {
      case 'newsletter':
        this.navigate(pages.newsletter);
        this.#pause(15, 60);
        identify();
        this.track('Form Submitted', { form_id: 'newsletter', form_type: 'newsletter' });
        return;
      case 'content':
        this.download(random.pick(gatedContent), identify);
        return;
      case 'demo':
        this.navigate(pages.pricing);
        this.requestDemo(identify);
        return;
      case 'trial':
        this.navigate(pages.pricing);
        this.navigate(pages.signup);
        this.#pause(30, 120);
        identify();
        this.track('Signed Up', { type: 'email', plan: 'trial' });
        this.track('Trial Started', { trial_plan: 'growth', trial_days: 14 });
        return;
      case 'webinar':
        this.registerForWebinar(contact.signupWebinar!, identify);
        return;
      case 'chat':
        this.navigate(pages.pricing);
        this.chat(identify);
        return;
      default: {
        const unexpected: never = contact.signupPath;
        throw new Error(`unexpected signup path ${String(unexpected)}`);
      }
    }
  }

  /** identify with the person's traits, then group with the account's: from here on the browser knows the userId. */
  identify(contact: Contact): void {
    this.#userId = contact.userId;
    const traits: Record<string, string> = {
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      name: `${contact.firstName} ${contact.lastName}`,
      title: contact.title,
      company: contact.account.name,
    };
    if (contact.phone !== null) traits.phone = contact.phone;
    if (contact.chatHandle !== null) traits[contact.chatHandle.trait] = contact.chatHandle.value;
    traits.createdAt = isoTime(this.#at);
    this.#pause(1, 3);
    this.#emit({ type: 'identify', userId: contact.userId, anonymousId: this.#device!.anonymousId, traits, context: this.#open!.context });
    const account = contact.account;
    this.#pause(1, 2);
    this.#emit({
      type: 'group',
      groupId: account.groupId,
      userId: contact.userId,
      anonymousId: this.#device!.anonymousId,
      traits: { name: account.name, domain: account.domain, website: `https://www.${account.domain}`, industry: account.industry, employees: account.employees, plan: account.plan, country: account.country.code },
      context: this.#open!.context,
    });
  }

  /** An email from the ESP: opened, maybe clicked through to the site, maybe the last one they want. */
  email(contact: Contact, session: Extract<Session, { kind: 'email' }>): void {
    const random = this.#random;
    const mail = { email_id: `em_${random.hex(16)}`, email_subject: session.campaign.subject, campaign_id: session.campaign.id, campaign_name: session.campaign.name };
    this.server(contact, 'Email Opened', mail);
    if (session.unsubscribes) {
      this.#pause(20, 120);
      this.server(contact, 'Unsubscribed', { email_id: mail.email_id, campaign_id: mail.campaign_id });
      return;
    }
    if (!session.clicked) return;
    this.#pause(10, 300);
    const arrival: Arrival = { kind: 'email', campaign: session.campaign };
    const query = landingQuery(random, arrival);
    this.server(contact, 'Email Link Clicked', { ...mail, link_url: siteUrl(session.campaign.landing, query.search) });
    this.#pause(1, 4);
    this.browseOn(0, true);
    this.visit(arrival, session.registers === null ? (random.chance(0.5) ? { kind: 'read' } : { kind: 'browse' }) : { kind: 'webinarRegistration', webinar: session.registers });
  }

  /** A trial user in the product: they sign in, look at a dashboard, maybe invite a colleague. */
  product(invites: boolean): void {
    const dashboard: SitePage = { path: '/dashboard', title: 'Dashboard — Orbitly', name: 'App' };
    this.#show(dashboard, '', '', undefined, site.app);
    this.#pause(2, 10);
    this.track('Signed In', { method: 'password' });
    if (!invites) return;
    this.#pause(60, 600);
    this.track('Invite Sent', { invitee_role: this.#random.pick(['admin', 'member', 'viewer']) });
  }

  /** The phone's browser learns who it is: alias from its anonymousId to the userId, then a page as them. */
  alias(contact: Contact): void {
    const phone = contact.devices[1]!;
    this.browseOn(1, false);
    const landing = pages.home;
    const url = siteUrl(landing);
    const context = this.#contextOf(landing, url, '', '', undefined);
    this.#emit({ type: 'alias', userId: contact.userId, previousId: phone.anonymousId, anonymousId: phone.anonymousId, context });
    this.#userId = contact.userId;
    this.#pause(2, 6);
    this.#open = null;
    this.navigate(pages.pricing);
  }

  backOffice(contact: Contact, event: BackOfficeEvent): void {
    switch (event.kind) {
      case 'stage': {
        const { stage, amount } = event.step;
        this.server(contact, 'Lifecycle Stage Changed', amount === null ? { stage } : { stage, amount, currency: 'USD' });
        return;
      }
      case 'owner':
        this.server(contact, 'Owner Assigned', { owner_id: event.owner, reason: 'territory' });
        return;
      case 'status':
        this.server(contact, 'Lead Status Changed', { status: event.status });
        return;
      case 'meetingHeld':
        this.server(contact, 'Meeting Held', { meeting_id: event.meetingId, meeting_type: event.meetingType, owner_id: contact.account.owner, duration_minutes: this.#random.pick([30, 45, 60]) });
        return;
      case 'callCompleted':
        this.server(contact, 'Call Completed', { owner_id: contact.account.owner, duration_minutes: this.#random.int(15, 50), call_type: 'negotiation' });
        return;
      case 'webinarAttended':
        this.server(contact, 'Webinar Attended', { webinar_id: event.webinar.id, webinar_title: event.webinar.title, duration_minutes: this.#random.int(12, 60) });
        return;
      case 'trialEnded':
        this.server(contact, 'Trial Ended', { trial_plan: 'growth' });
        return;
      default: {
        const unexpected: never = event;
        throw new Error(`unexpected back-office event ${JSON.stringify(unexpected)}`);
      }
    }
  }

  /** A track from the browser, on the open page. */
  track(event: string, properties: Readonly<Record<string, string | number | boolean>>): void {
    this.#pause(1, 4);
    this.#emit({ type: 'track', event, ...this.#who(), properties, context: this.#open!.context });
  }

  /** A track from a back-office service, by userId. */
  server(contact: Contact, event: string, properties: Readonly<Record<string, string | number | boolean>>): void {
    this.#emit({ type: 'track', event, userId: contact.userId, properties, context: SERVER_CONTEXT });
  }

  #show(page: SitePage, search: string, referrer: string, campaign: DemoContext['campaign'], origin: string = site.origin): void {
    const url = `${origin}${page.path}${search}`;
    const context = this.#contextOf(page, url, search, referrer, campaign);
    this.#open = { page, url, context };
    this.#emit({ type: 'page', ...this.#who(), name: page.name, properties: { ...context.page! }, context });
  }

  #contextOf(page: SitePage, url: string, search: string, referrer: string, campaign: DemoContext['campaign']): DemoContext {
    const device = this.#device!;
    return {
      ip: device.ip,
      userAgent: device.userAgent,
      locale: this.#person.country.locale,
      timezone: this.#person.country.timezone,
      library: BROWSER_LIBRARY,
      page: { path: page.path, referrer, search, title: page.title, url },
      ...(campaign === undefined ? {} : { campaign }),
    };
  }

  #who(): { userId?: string; anonymousId: string } {
    const anonymousId = this.#device!.anonymousId;
    return this.#userId === null ? { anonymousId } : { userId: this.#userId, anonymousId };
  }

  #emit(draft: DraftMessage): void {
    this.drafts.push({ at: this.#at, draft });
    // Every message of a person gets its own millisecond, so their order is never a tie.
    this.#at += 1;
  }

  #pause(minSeconds: number, maxSeconds: number): void {
    this.#at += Math.round(this.#random.between(minSeconds, maxSeconds) * SECOND);
  }
}
