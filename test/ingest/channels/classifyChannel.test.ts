/**
 * Channel classification with the shipped rules: given a touch's signals (event name, utm, click
 * ids, referrer, page), when it is classified, then this channel, chosen by this rule.
 */
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelRules, TouchSignals } from '../../../services/ingest/channels/index.ts';
import { channels, classifyChannel, compileChannelRules, defaultChannelRules } from '../../../services/ingest/channels/index.ts';

const PAGE = 'https://www.acme.io/pricing';

/** A page view on our site with nothing else known, overridden per case. */
function touch(overrides: Partial<TouchSignals> = {}): TouchSignals {
  return { eventName: 'Page Viewed', utm: {}, clickIds: {}, pageUrl: PAGE, ...overrides };
}

interface Case {
  readonly given: string;
  readonly signals: TouchSignals;
  readonly channel: Channel;
  readonly rule: string;
}

const cases: readonly Case[] = [
  // B2B touches named by their event
  { given: 'a webinar registration from an email link', signals: touch({ eventName: 'Webinar Registered', utm: { source: 'newsletter', medium: 'email' } }), channel: 'webinar', rule: 'webinar-event' },
  { given: 'webinar attendance reported by the webinar tool', signals: touch({ eventName: 'Webinar Attended', pageUrl: undefined }), channel: 'webinar', rule: 'webinar-event' },
  { given: 'a recording watched after a LinkedIn ad click', signals: touch({ eventName: 'Webinar On-Demand Viewed', clickIds: { li_fat_id: 'f1' } }), channel: 'webinar', rule: 'webinar-event' },
  { given: 'a chat started on the pricing page', signals: touch({ eventName: 'Live Chat Conversation Started', referrer: 'https://www.google.com/' }), channel: 'chat', rule: 'chat-event' },
  { given: 'a chat message received', signals: touch({ eventName: 'Live Chat Message Received' }), channel: 'chat', rule: 'chat-event' },
  { given: 'a meeting booked through a rep link', signals: touch({ eventName: 'Meeting Booked' }), channel: 'sales', rule: 'sales-event' },
  { given: 'a call logged by the rep', signals: touch({ eventName: 'Call Completed', pageUrl: undefined }), channel: 'sales', rule: 'sales-event' },
  { given: 'a badge scanned at the booth', signals: touch({ eventName: 'Booth Visited', pageUrl: undefined }), channel: 'events', rule: 'events-event' },
  { given: 'an event registration', signals: touch({ eventName: 'Event Registered', utm: { source: 'linkedin', medium: 'cpc' } }), channel: 'events', rule: 'events-event' },
  { given: 'a click in an email (Segment Email spec)', signals: touch({ eventName: 'Email Link Clicked', pageUrl: undefined }), channel: 'email', rule: 'email-event' },
  { given: 'an email opened', signals: touch({ eventName: 'Email Opened', pageUrl: undefined }), channel: 'email', rule: 'email-event' },

  // B2B mediums
  { given: 'utm_medium=webinar', signals: touch({ utm: { source: 'on24', medium: 'webinar' } }), channel: 'webinar', rule: 'webinar-medium' },
  { given: 'utm_medium=live-chat', signals: touch({ utm: { source: 'intercom', medium: 'live-chat' } }), channel: 'chat', rule: 'chat-medium' },
  { given: 'a link from a rep sequence, utm_medium=sales', signals: touch({ utm: { source: 'outreach', medium: 'sales' } }), channel: 'sales', rule: 'sales-medium' },
  { given: 'a QR code at a trade show', signals: touch({ utm: { source: 'saastr', medium: 'tradeshow' } }), channel: 'events', rule: 'events-medium' },
  { given: 'utm_medium=conference', signals: touch({ utm: { source: 'kubecon', medium: 'conference' } }), channel: 'events', rule: 'events-medium' },
  { given: 'an email campaign link, utm_medium=email', signals: touch({ utm: { source: 'hubspot', medium: 'email', campaign: 'q3-nurture' } }), channel: 'email', rule: 'email-medium' },
  { given: 'utm_source=newsletter, no medium', signals: touch({ utm: { source: 'newsletter' } }), channel: 'email', rule: 'email-medium' },
  { given: 'utm_medium=e-mail', signals: touch({ utm: { source: 'mailchimp', medium: 'e-mail' } }), channel: 'email', rule: 'email-medium' },

  // click ids
  { given: 'a gclid and nothing else', signals: touch({ clickIds: { gclid: 'Cj0KCQ' } }), channel: 'paid_search', rule: 'paid-search-click-id' },
  { given: 'a Microsoft Ads msclkid', signals: touch({ clickIds: { msclkid: 'abc' }, referrer: 'https://www.bing.com/' }), channel: 'paid_search', rule: 'paid-search-click-id' },
  { given: 'a Campaign Manager dclid', signals: touch({ clickIds: { dclid: 'abc' } }), channel: 'display', rule: 'display-click-id' },
  { given: 'a LinkedIn ad click (li_fat_id)', signals: touch({ clickIds: { li_fat_id: 'f1' }, referrer: 'https://www.linkedin.com/' }), channel: 'paid_social', rule: 'paid-social-click-id' },
  { given: 'a TikTok ad click (ttclid)', signals: touch({ clickIds: { ttclid: 't1' } }), channel: 'paid_social', rule: 'paid-social-click-id' },
  { given: 'an empty gclid', signals: touch({ clickIds: { gclid: '' } }), channel: 'direct', rule: 'direct' },

  // GA4 source / medium
  { given: 'google / cpc', signals: touch({ utm: { source: 'google', medium: 'cpc', campaign: 'brand' } }), channel: 'paid_search', rule: 'paid-search' },
  { given: 'bing / ppc', signals: touch({ utm: { source: 'bing', medium: 'ppc' } }), channel: 'paid_search', rule: 'paid-search' },
  { given: 'a Facebook ad: facebook / paid_social with fbclid', signals: touch({ utm: { source: 'facebook', medium: 'paid_social' }, clickIds: { fbclid: 'IwAR' } }), channel: 'paid_social', rule: 'paid-social' },
  { given: 'linkedin / cpc', signals: touch({ utm: { source: 'linkedin', medium: 'cpc' } }), channel: 'paid_social', rule: 'paid-social' },
  { given: 'youtube / cpv', signals: touch({ utm: { source: 'youtube', medium: 'cpv' } }), channel: 'display', rule: 'paid-video' },
  { given: 'a display banner', signals: touch({ utm: { source: 'adroll', medium: 'banner' } }), channel: 'display', rule: 'display-medium' },
  { given: 'medium cpm from a network we do not list', signals: touch({ utm: { source: 'stackadapt', medium: 'cpm' } }), channel: 'display', rule: 'display-medium' },
  { given: 'medium paid-social from an unlisted source', signals: touch({ utm: { source: 'g2-ads', medium: 'paid-social' } }), channel: 'paid_social', rule: 'paid-social-medium' },
  { given: 'capterra / cpc', signals: touch({ utm: { source: 'capterra', medium: 'cpc' } }), channel: 'paid_search', rule: 'paid-search-medium' },
  { given: 'medium retargeting', signals: touch({ utm: { source: 'criteo', medium: 'retargeting' } }), channel: 'other', rule: 'paid-other' },
  { given: 'an organic LinkedIn post: linkedin / social', signals: touch({ utm: { source: 'linkedin', medium: 'social' } }), channel: 'organic_social', rule: 'organic-social' },
  { given: 'utm_medium=social-media from any source', signals: touch({ utm: { source: 'buffer', medium: 'social-media' } }), channel: 'organic_social', rule: 'organic-social' },
  { given: 'utm_source=vimeo', signals: touch({ utm: { source: 'vimeo' } }), channel: 'organic_social', rule: 'organic-video' },
  { given: 'utm_source=duckduckgo', signals: touch({ utm: { source: 'duckduckgo' } }), channel: 'organic_search', rule: 'organic-search' },
  { given: 'utm_medium=organic', signals: touch({ utm: { source: 'someengine', medium: 'organic' } }), channel: 'organic_search', rule: 'organic-search' },
  { given: 'a newsletter we were featured in: tldr / referral', signals: touch({ utm: { source: 'tldr-newsletter', medium: 'referral' } }), channel: 'referral', rule: 'referral-medium' },
  { given: 'an affiliate link', signals: touch({ utm: { source: 'partnerstack', medium: 'affiliate' } }), channel: 'referral', rule: 'referral-medium' },

  // fbclid alone: Meta adds it to organic shares too
  { given: 'a Facebook share (fbclid, l.facebook.com)', signals: touch({ clickIds: { fbclid: 'IwAR' }, referrer: 'https://l.facebook.com/' }), channel: 'organic_social', rule: 'social-click-id' },
  { given: 'fbclid from an in-app browser that sent no referrer', signals: touch({ clickIds: { fbclid: 'IwAR' } }), channel: 'organic_social', rule: 'social-click-id' },

  // referrers
  { given: 'a click from Gmail in the browser', signals: touch({ referrer: 'https://mail.google.com/' }), channel: 'email', rule: 'webmail-referrer' },
  { given: 'a link in a Google Doc', signals: touch({ referrer: 'https://docs.google.com/document/d/1' }), channel: 'referral', rule: 'search-owner-referral' },
  { given: 'a Google search result (www.google.co.uk)', signals: touch({ referrer: 'https://www.google.co.uk/' }), channel: 'organic_search', rule: 'search-referrer' },
  { given: 'a Bing search result', signals: touch({ referrer: 'https://www.bing.com/search?q=acme' }), channel: 'organic_search', rule: 'search-referrer' },
  { given: 'a tweet (t.co)', signals: touch({ referrer: 'https://t.co/AbC123' }), channel: 'organic_social', rule: 'social-referrer' },
  { given: 'a LinkedIn short link (lnkd.in)', signals: touch({ referrer: 'https://lnkd.in/eXyZ' }), channel: 'organic_social', rule: 'social-referrer' },
  { given: 'the LinkedIn Android app', signals: touch({ referrer: 'android-app://com.linkedin.android/' }), channel: 'organic_social', rule: 'social-referrer' },
  { given: 'a YouTube description link', signals: touch({ referrer: 'https://www.youtube.com/' }), channel: 'organic_social', rule: 'social-referrer' },
  { given: 'a blog that links to us', signals: touch({ referrer: 'https://martech.blog/best-tools' }), channel: 'referral', rule: 'referral' },
  { given: 'a newsletter archive page that links to us', signals: touch({ referrer: 'https://newsletter.pragmaticengineer.com/p/issue' }), channel: 'referral', rule: 'referral' },
  { given: 'an unknown utm with a search referrer', signals: touch({ utm: { source: 'foo', medium: 'bar' }, referrer: 'https://duckduckgo.com/' }), channel: 'organic_search', rule: 'search-referrer' },

  // no acquisition signal
  { given: 'a content download with no campaign and no referrer', signals: touch({ eventName: 'Content Downloaded' }), channel: 'content', rule: 'content-engagement' },
  { given: 'a form fill after browsing our own site', signals: touch({ eventName: 'Form Submitted', referrer: 'https://www.acme.io/blog' }), channel: 'content', rule: 'content-engagement' },
  { given: 'a content view reached from Google', signals: touch({ eventName: 'Content Viewed', referrer: 'https://www.google.com/' }), channel: 'organic_search', rule: 'search-referrer' },
  { given: 'a typed-in visit', signals: touch(), channel: 'direct', rule: 'direct' },
  { given: 'a same-site referrer (our blog subdomain)', signals: touch({ referrer: 'https://blog.acme.io/post' }), channel: 'direct', rule: 'direct' },
  { given: 'a mobile screen view', signals: touch({ eventName: 'Screen Viewed', pageUrl: undefined }), channel: 'direct', rule: 'direct' },
  { given: 'a demo request on a page reached directly', signals: touch({ eventName: 'Demo Requested' }), channel: 'direct', rule: 'direct' },
  { given: 'GA-style placeholders (direct) / (none)', signals: touch({ utm: { source: '(direct)', medium: '(none)' } }), channel: 'direct', rule: 'direct' },
  { given: 'a server-side Trial Started with no signal at all', signals: touch({ eventName: 'Trial Started', pageUrl: undefined }), channel: 'other', rule: 'unmatched' },
  { given: 'a utm no rule knows and no referrer', signals: touch({ utm: { source: 'foo', medium: 'bar' } }), channel: 'other', rule: 'unmatched' },
  { given: 'utm_medium=sms', signals: touch({ utm: { source: 'twilio', medium: 'sms' } }), channel: 'other', rule: 'unmatched' },
];

describe('classifyChannel with the shipped rules', () => {
  it.each(cases)('given $given, then $channel by rule $rule', ({ signals, channel, rule }) => {
    expect(classifyChannel(signals, defaultChannelRules)).toEqual({ channel, rule });
  });

  it('reaches every channel with realistic touches', () => {
    const reached = new Set(cases.map((c) => classifyChannel(c.signals, defaultChannelRules).channel));

    expect([...reached].sort()).toEqual([...channels].sort());
  });

  it('uses every shipped rule for some realistic touch', () => {
    const used = new Set(cases.map((c) => classifyChannel(c.signals, defaultChannelRules).rule));

    expect(defaultChannelRules.rules.map((rule) => rule.id).filter((id) => !used.has(id))).toEqual([]);
  });
});

describe('case and spelling', () => {
  const variants: readonly [string, TouchSignals, Channel][] = [
    ['source and medium in capitals', touch({ utm: { source: 'Google', medium: 'CPC' } }), 'paid_search'],
    ['a referrer URL in capitals', touch({ referrer: 'HTTPS://WWW.LINKEDIN.COM/feed' }), 'organic_social'],
    ['a source given as a domain', touch({ utm: { source: 'www.facebook.com', medium: 'cpc' } }), 'paid_social'],
    ['a click id name in capitals', touch({ clickIds: { GCLID: 'x' } }), 'paid_search'],
    ['an event name in snake_case', touch({ eventName: 'webinar_registered' }), 'webinar'],
    ['an event name in lower case', touch({ eventName: 'live chat conversation started' }), 'chat'],
    ['an event name in camelCase', touch({ eventName: 'MeetingBooked' }), 'sales'],
    ['a medium with surrounding spaces', touch({ utm: { source: 'acme', medium: '  Email ' } }), 'email'],
  ];

  it.each(variants)('given %s, then it is classified as if written canonically', (_given, signals, channel) => {
    expect(classifyChannel(signals, defaultChannelRules).channel).toBe(channel);
  });
});

describe('rule order', () => {
  const webinarFromEmail = touch({ eventName: 'Webinar Registered', utm: { source: 'hubspot', medium: 'email' } });

  it('given the shipped order, a webinar registration from an email is a webinar touch', () => {
    expect(classifyChannel(webinarFromEmail, defaultChannelRules)).toEqual({ channel: 'webinar', rule: 'webinar-event' });
  });

  it('given email-medium moved before webinar-event, the same touch is an email touch', () => {
    const shipped = defaultChannelRules.rules;
    const emailMedium = shipped.find((rule) => rule.id === 'email-medium')!;
    const reordered: ChannelRules = { ...defaultChannelRules, rules: [emailMedium, ...shipped.filter((rule) => rule !== emailMedium)] };

    expect(classifyChannel(webinarFromEmail, reordered)).toEqual({ channel: 'email', rule: 'email-medium' });
  });

  it('given two rules that both match, the first one in the file wins', () => {
    const bySource = { id: 'by-source', channel: 'organic_social', when: { source: { equals: 'linkedin' } } };
    const byMedium = { id: 'by-medium', channel: 'paid_social', when: { medium: { equals: 'cpc' } } };
    const linkedinCpc = touch({ utm: { source: 'linkedin', medium: 'cpc' } });

    expect(classifyChannel(linkedinCpc, compileChannelRules({ version: 1, rules: [bySource, byMedium] }))).toEqual({ channel: 'organic_social', rule: 'by-source' });
    expect(classifyChannel(linkedinCpc, compileChannelRules({ version: 1, rules: [byMedium, bySource] }))).toEqual({ channel: 'paid_social', rule: 'by-medium' });
  });
});

describe('answers kept for touches that repeat', () => {
  it('given every case again, after the first pass, then each gets the same answer as the first time', () => {
    const first = cases.map((one) => classifyChannel(one.signals, defaultChannelRules));
    const again = cases.map((one) => classifyChannel(one.signals, defaultChannelRules));
    expect(again).toEqual(first);
    expect(again.map(({ channel, rule }) => `${channel}/${rule}`)).toEqual(cases.map((one) => `${one.channel}/${one.rule}`));
  });

  it('given rules that compare the page URL itself, then two pages with the same campaign still get their own channels', () => {
    const rules = compileChannelRules({
      version: 1,
      rules: [
        { id: 'docs', channel: 'content', when: { pageUrl: { matches: '/docs/' } } },
        { id: 'rest', channel: 'direct', when: { pageUrl: { exists: true } } },
      ],
    });
    const page = (url: string) => touch({ pageUrl: url, utm: { source: 'google', medium: 'cpc' } });
    expect(classifyChannel(page('https://acme.io/pricing'), rules).rule).toBe('rest');
    expect(classifyChannel(page('https://acme.io/docs/start'), rules).rule).toBe('docs');
    expect(classifyChannel(page('https://acme.io/pricing'), rules).rule).toBe('rest');
  });

  it('given rules that only ask whether there is a page, then pages differ only by URL share an answer, and a touch without a page does not', () => {
    const rules = compileChannelRules({ version: 1, rules: [{ id: 'on-site', channel: 'direct', when: { pageUrl: { exists: true } } }] });
    expect(classifyChannel(touch({ pageUrl: 'https://acme.io/a' }), rules).rule).toBe('on-site');
    expect(classifyChannel(touch({ pageUrl: 'https://acme.io/b' }), rules).rule).toBe('on-site');
    expect(classifyChannel(touch({ pageUrl: undefined }), rules)).toEqual({ channel: 'other', rule: 'unmatched' });
  });

  it('given values that hold the memo key separator, then they are classified without the memo and still right', () => {
    const rules = compileChannelRules({ version: 1, rules: [{ id: 'odd', channel: 'referral', when: { source: { equals: 'a\u0000b' } } }] });
    expect(classifyChannel(touch({ utm: { source: 'a\u0000b' } }), rules).rule).toBe('odd');
    expect(classifyChannel(touch({ utm: { source: 'a', campaign: 'b' } }), rules).rule).toBe('unmatched');
  });
});

describe('answers kept: event names', () => {
  it('given a regex on the event name as sent, then two spellings of one name are told apart', () => {
    const rules = compileChannelRules({ version: 1, rules: [{ id: 'spaced', channel: 'webinar', when: { eventName: { matches: '^Webinar Registered$' } } }] });
    expect(classifyChannel(touch({ eventName: 'Webinar Registered' }), rules).rule).toBe('spaced');
    expect(classifyChannel(touch({ eventName: 'webinar_registered' }), rules).rule).toBe('unmatched');
  });
});
