/**
 * The seller in the demo: Orbitly, a B2B revenue-analytics SaaS, with its website, content,
 * webinars, emails, chat agents and sales reps. Fixed data: the seed only picks among it.
 */

export const site = {
  name: 'Orbitly',
  origin: 'https://www.orbitly.example',
  /** The product app, where trial users sign in. */
  app: 'https://app.orbitly.example',
} as const;

export interface SitePage {
  readonly path: string;
  readonly title: string;
  /** Segment's page `name`, the page's template. */
  readonly name: string;
}

const page = (path: string, title: string, name: string): SitePage => ({ path, title, name });

export const pages = {
  home: page('/', 'Orbitly — revenue analytics for B2B teams', 'Home'),
  product: page('/product', 'Product — Orbitly', 'Product'),
  attribution: page('/product/attribution', 'Multi-touch attribution — Orbitly', 'Product'),
  journeys: page('/product/journeys', 'Lead journeys — Orbitly', 'Product'),
  integrations: page('/integrations', 'Integrations — Orbitly', 'Integrations'),
  pricing: page('/pricing', 'Pricing — Orbitly', 'Pricing'),
  customers: page('/customers', 'Customers — Orbitly', 'Customers'),
  security: page('/security', 'Security and compliance — Orbitly', 'Security'),
  compare: page('/compare', 'Orbitly compared — Orbitly', 'Compare'),
  demo: page('/demo', 'Book a demo — Orbitly', 'Demo'),
  signup: page('/signup', 'Start your free trial — Orbitly', 'Signup'),
  newsletter: page('/newsletter', 'The Revenue Signal newsletter — Orbitly', 'Newsletter'),
  about: page('/about', 'About us — Orbitly', 'About'),
} as const;

/** Pages a browsing visitor goes on to from the landing page, most visited first. */
export const browsePages: readonly (readonly [SitePage, number])[] = [
  [pages.product, 16],
  [pages.pricing, 14],
  [pages.attribution, 10],
  [pages.customers, 8],
  [pages.integrations, 7],
  [pages.journeys, 6],
  [pages.home, 6],
  [pages.security, 4],
  [pages.compare, 3],
  [pages.about, 2],
];

export type ContentType = 'article' | 'case_study' | 'video' | 'ebook' | 'report';

export interface ContentAsset {
  readonly id: string;
  readonly title: string;
  readonly type: ContentType;
  readonly page: SitePage;
}

const asset = (id: string, title: string, type: ContentType, path: string): ContentAsset => ({ id, title, type, page: page(path, `${title} — Orbitly`, type === 'case_study' ? 'Case Study' : type === 'article' ? 'Blog Post' : 'Resource') });

/** Read on the site (`Content Viewed`). */
export const viewableContent: readonly ContentAsset[] = [
  asset('blog-first-touch-is-lying', 'Why first-touch attribution is lying to you', 'article', '/blog/first-touch-is-lying'),
  asset('blog-b2b-buying-committee', 'Selling to a buying committee of seven', 'article', '/blog/b2b-buying-committee'),
  asset('blog-mql-is-dead', 'The MQL is dead; long live the MQL', 'article', '/blog/mql-is-dead'),
  asset('blog-utm-hygiene', 'UTM hygiene in ten minutes', 'article', '/blog/utm-hygiene'),
  asset('blog-webinar-benchmarks', 'Webinar benchmarks for B2B SaaS', 'article', '/blog/webinar-benchmarks'),
  asset('blog-speed-to-lead', 'Speed to lead: the five-minute rule, measured', 'article', '/blog/speed-to-lead'),
  asset('blog-pipeline-velocity', 'Pipeline velocity, explained with one spreadsheet', 'article', '/blog/pipeline-velocity'),
  asset('blog-dark-funnel', 'Measuring the dark funnel without guessing', 'article', '/blog/dark-funnel'),
  asset('cs-copperfield', 'How Copperfield Health cut CAC by 31%', 'case_study', '/customers/copperfield-health'),
  asset('cs-northgate', 'Northgate Logistics: one pipeline view for 40 reps', 'case_study', '/customers/northgate-logistics'),
  asset('cs-beaconline', 'Beaconline Software doubled demo-to-close', 'case_study', '/customers/beaconline-software'),
  asset('video-product-tour', 'Orbitly product tour (6 min)', 'video', '/resources/product-tour'),
];

/** Gated behind a form (`Form Submitted` + `Content Downloaded`). */
export const gatedContent: readonly ContentAsset[] = [
  asset('ebook-attribution-guide', 'The B2B attribution guide', 'ebook', '/resources/b2b-attribution-guide'),
  asset('ebook-lead-scoring', 'Lead scoring that sales trusts', 'ebook', '/resources/lead-scoring'),
  asset('report-state-of-revops', 'State of RevOps 2026', 'report', '/resources/state-of-revops'),
  asset('ebook-abm-playbook', 'The account-based marketing playbook', 'ebook', '/resources/abm-playbook'),
];

export const webinarTitles: readonly string[] = [
  'Attribution without the hand-waving',
  'From MQL to pipeline: a RevOps masterclass',
  'Building an SDR queue reps actually use',
  'ABM on a startup budget',
  'What buying committees read before they call',
  'Forecasting pipeline from intent signals',
  'Webinars that create pipeline (meta, we know)',
  'Cleaning up your CRM before the board meeting',
];

export const nurtureEmails: readonly string[] = [
  'Attribution 101: the three questions your CFO asks',
  'Attribution 101: first touch, last touch, and the rest',
  'Attribution 101: the dark funnel',
  'Attribution 101: from data to decisions',
];

export const chatAgents: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'agent-maya', name: 'Maya from Orbitly' },
  { id: 'agent-tom', name: 'Tom from Orbitly' },
  { id: 'agent-ines', name: 'Inès from Orbitly' },
];

/** What visitors ask in chat, and how agents answer. */
export const chatOpeners: readonly string[] = [
  'Hi, does Orbitly work with Salesforce?',
  'How is pricing calculated for 40 users?',
  'Can we import our historical ad spend?',
  'Do you support multi-touch attribution for long sales cycles?',
  'Is there a free trial?',
  'Can I get a demo this week?',
  'Do you have SOC 2?',
];
export const chatReplies: readonly string[] = [
  'Happy to help! Let me check that for you.',
  'Yes, we do. Would a quick call help?',
  'Great question: most teams your size start on Growth.',
  'I can book you in with one of our specialists.',
  'Thanks, that helps. Anything else?',
];
export const chatFollowUps: readonly string[] = ['Thanks, that is helpful.', 'What about HubSpot?', 'Sounds good, send me a link.', 'We have about 60 people in marketing and sales.', 'OK, thanks!'];

/** The sales team: owners by region, as `Owner Assigned` names them. */
export const repsByRegion: Readonly<Record<'americas' | 'emea' | 'apac', readonly string[]>> = {
  americas: ['rep-ana', 'rep-ben', 'rep-carla'],
  emea: ['rep-dieter', 'rep-emma'],
  apac: ['rep-hiro', 'rep-mei'],
};

export const referralSites: readonly string[] = [
  'https://www.g2.com/products/orbitly/reviews',
  'https://www.capterra.com/p/orbitly/reviews/',
  'https://revops-weekly.example/issues/48',
  'https://partners.harborgate.example/blog/attribution-stack',
  'https://www.saasworthy.com/product/orbitly',
];

export const socialReferrers: readonly string[] = ['https://www.linkedin.com/', 'https://lnkd.in/', 'https://t.co/', 'https://www.reddit.com/r/marketing/', 'https://news.ycombinator.com/'];

/** Desktop search engines besides the country's own, for organic visits. */
export const otherSearchReferrers: readonly string[] = ['https://www.bing.com/', 'https://duckduckgo.com/'];
