import type { Webinar } from './demoWorld.ts';
import type { SitePage } from './sellerSite.ts';
import { nurtureEmails, pages, viewableContent } from './sellerSite.ts';

/** An email the seller sends: the ESP reports opens and clicks (`Email Opened`, `Email Link Clicked`). */
export interface EmailCampaign {
  readonly id: string;
  readonly name: string;
  readonly subject: string;
  /** Where its main link goes. */
  readonly landing: SitePage;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The monthly newsletter of the month a time falls in; its link goes to one of the month's posts. */
export function newsletter(at: number): EmailCampaign {
  const date = new Date(at);
  const month = date.getUTCMonth();
  const year = date.getUTCFullYear();
  return {
    id: `newsletter-${year}-${String(month + 1).padStart(2, '0')}`,
    name: 'The Revenue Signal',
    subject: `The Revenue Signal — ${MONTHS[month]!} ${year}`,
    landing: viewableContent[(year * 12 + month) % viewableContent.length]!.page,
  };
}

/** The nurture sequence new contacts get, one email after another; null once it has all been sent. */
export function nurtureEmail(position: number): EmailCampaign | null {
  const subject = nurtureEmails[position];
  if (subject === undefined) return null;
  return { id: `nurture-attribution-101-${position + 1}`, name: 'Attribution 101', subject, landing: position === nurtureEmails.length - 1 ? pages.pricing : viewableContent[position]!.page };
}

export function webinarInvite(webinar: Webinar): EmailCampaign {
  return { id: `invite-${webinar.id}`, name: 'Webinar invitations', subject: `Join us live: ${webinar.title}`, landing: webinarPage(webinar) };
}

export function webinarPage(webinar: Webinar): SitePage {
  return { path: `/webinars/${webinar.slug}`, title: `${webinar.title} — live webinar — Orbitly`, name: 'Webinar' };
}
