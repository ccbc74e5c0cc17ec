import type { EmailCampaign } from './emailCampaigns.ts';
import type { Random } from './random.ts';
import type { SitePage } from './sellerSite.ts';
import { gatedContent, otherSearchReferrers, pages, referralSites, site, socialReferrers, viewableContent } from './sellerSite.ts';

/** The click-id parameter an ad platform appends to the landing URL. */
export type ClickIdParam = 'gclid' | 'msclkid' | 'li_fat_id' | 'fbclid' | 'dclid';

/** Search ads are bought per click; social and display ads per thousand impressions. */
export type AdPricing =
  | { readonly per: 'click'; readonly cpc: readonly [number, number]; readonly ctr: readonly [number, number] }
  | { readonly per: 'mille'; readonly cpm: readonly [number, number]; readonly ctr: readonly [number, number] };

export interface AdCampaign {
  /** `utm_campaign`, and the campaign column of the cost file. */
  readonly name: string;
  readonly source: string;
  readonly medium: string;
  /** The channel Nudge's shipped rules give its clicks. */
  readonly channel: 'paid_search' | 'paid_social' | 'display';
  readonly clickId: ClickIdParam;
  readonly landing: SitePage;
  /** `utm_term`: the keywords of search ads. */
  readonly terms: readonly string[];
  /** `utm_content`: the ad variants. */
  readonly contents: readonly string[];
  readonly pricing: AdPricing;
  /** Prospecting ads reach new people; retargeting ads reach people who have been on the site. */
  readonly audience: 'prospecting' | 'retargeting';
}

export const adCampaigns: readonly AdCampaign[] = [
  {
    name: 'search-brand',
    source: 'google',
    medium: 'cpc',
    channel: 'paid_search',
    clickId: 'gclid',
    landing: pages.home,
    terms: ['orbitly', 'orbitly pricing', 'orbitly attribution', 'orbitly reviews'],
    contents: ['rsa-brand-1', 'rsa-brand-2'],
    pricing: { per: 'click', cpc: [1.8, 3.4], ctr: [0.08, 0.14] },
    audience: 'retargeting',
  },
  {
    name: 'search-category-attribution',
    source: 'google',
    medium: 'cpc',
    channel: 'paid_search',
    clickId: 'gclid',
    landing: pages.attribution,
    terms: ['b2b attribution software', 'multi touch attribution', 'marketing attribution tool', 'revenue attribution b2b'],
    contents: ['rsa-attribution-1', 'rsa-attribution-2', 'rsa-attribution-3'],
    pricing: { per: 'click', cpc: [6.5, 11.5], ctr: [0.03, 0.055] },
    audience: 'prospecting',
  },
  {
    name: 'search-category-lead-nurturing',
    source: 'google',
    medium: 'cpc',
    channel: 'paid_search',
    clickId: 'gclid',
    landing: pages.journeys,
    terms: ['lead nurturing software', 'b2b lead nurturing', 'sdr lead routing', 'lead scoring tool'],
    contents: ['rsa-nurture-1', 'rsa-nurture-2'],
    pricing: { per: 'click', cpc: [4.5, 9], ctr: [0.03, 0.05] },
    audience: 'prospecting',
  },
  {
    name: 'search-competitor',
    source: 'google',
    medium: 'cpc',
    channel: 'paid_search',
    clickId: 'gclid',
    landing: pages.compare,
    terms: ['attribution tool alternative', 'crm attribution alternative', 'best b2b attribution software'],
    contents: ['rsa-compare-1'],
    pricing: { per: 'click', cpc: [8, 12], ctr: [0.02, 0.04] },
    audience: 'prospecting',
  },
  {
    name: 'bing-search-category',
    source: 'bing',
    medium: 'cpc',
    channel: 'paid_search',
    clickId: 'msclkid',
    landing: pages.attribution,
    terms: ['b2b attribution software', 'marketing attribution', 'pipeline analytics'],
    contents: ['bing-attribution-1'],
    pricing: { per: 'click', cpc: [2.5, 6], ctr: [0.025, 0.05] },
    audience: 'prospecting',
  },
  {
    name: 'linkedin-abm-enterprise',
    source: 'linkedin',
    medium: 'paid_social',
    channel: 'paid_social',
    clickId: 'li_fat_id',
    landing: pages.product,
    terms: [],
    contents: ['single-image-cfo', 'carousel-pipeline', 'video-tour'],
    pricing: { per: 'mille', cpm: [38, 62], ctr: [0.004, 0.007] },
    audience: 'prospecting',
  },
  {
    name: 'linkedin-ebook-attribution-guide',
    source: 'linkedin',
    medium: 'paid_social',
    channel: 'paid_social',
    clickId: 'li_fat_id',
    landing: gatedContent[0]!.page,
    terms: [],
    contents: ['document-ad-guide', 'single-image-guide'],
    pricing: { per: 'mille', cpm: [30, 50], ctr: [0.005, 0.009] },
    audience: 'prospecting',
  },
  {
    name: 'meta-retargeting',
    source: 'facebook',
    medium: 'paid_social',
    channel: 'paid_social',
    clickId: 'fbclid',
    landing: pages.customers,
    terms: [],
    contents: ['case-study-copperfield', 'case-study-northgate'],
    pricing: { per: 'mille', cpm: [8, 15], ctr: [0.008, 0.014] },
    audience: 'retargeting',
  },
  {
    name: 'display-retargeting',
    source: 'dv360',
    medium: 'display',
    channel: 'display',
    clickId: 'dclid',
    landing: pages.pricing,
    terms: [],
    contents: ['banner-300x250', 'banner-728x90'],
    pricing: { per: 'mille', cpm: [2.5, 6], ctr: [0.0008, 0.002] },
    audience: 'retargeting',
  },
];

const byName = (name: string): AdCampaign => adCampaigns.find((campaign) => campaign.name === name)!;

/** How a visit reached the site. Email visits follow a click in an email session, never a mix's draw. */
export type Arrival =
  | { readonly kind: 'paid'; readonly campaign: AdCampaign }
  | { readonly kind: 'email'; readonly campaign: EmailCampaign }
  | { readonly kind: 'organic_search'; readonly referrer: string }
  | { readonly kind: 'organic_social'; readonly referrer: string }
  | { readonly kind: 'referral'; readonly referrer: string }
  | { readonly kind: 'direct' };

type ArrivalDraw = (random: Random, searchReferrer: string) => Arrival;

const paid =
  (name: string): ArrivalDraw =>
  () => ({ kind: 'paid', campaign: byName(name) });
const organicSearch: ArrivalDraw = (random, searchReferrer) => ({ kind: 'organic_search', referrer: random.chance(0.85) ? searchReferrer : random.pick(otherSearchReferrers) });
const organicSocial: ArrivalDraw = (random) => ({ kind: 'organic_social', referrer: random.pick(socialReferrers) });
const referral: ArrivalDraw = (random) => ({ kind: 'referral', referrer: random.pick(referralSites) });
const direct: ArrivalDraw = () => ({ kind: 'direct' });

/** A person's first visit: how B2B buyers first find a vendor. */
const firstVisitMix: readonly (readonly [ArrivalDraw, number])[] = [
  [paid('search-category-attribution'), 11],
  [paid('search-category-lead-nurturing'), 6],
  [paid('search-competitor'), 4],
  [paid('bing-search-category'), 4],
  [paid('search-brand'), 3],
  [paid('linkedin-abm-enterprise'), 8],
  [paid('linkedin-ebook-attribution-guide'), 6],
  [organicSearch, 24],
  [organicSocial, 7],
  [referral, 11],
  [direct, 16],
];

/** Later visits: people come back by name, by bookmark, and through retargeting ads. */
const returnVisitMix: readonly (readonly [ArrivalDraw, number])[] = [
  [direct, 34],
  [organicSearch, 20],
  [paid('search-brand'), 14],
  [paid('meta-retargeting'), 8],
  [paid('display-retargeting'), 6],
  [organicSocial, 6],
  [referral, 8],
  [paid('linkedin-abm-enterprise'), 4],
];

export function firstArrival(random: Random, searchReferrer: string): Arrival {
  return random.weighted(firstVisitMix)(random, searchReferrer);
}

export function returnArrival(random: Random, searchReferrer: string): Arrival {
  return random.weighted(returnVisitMix)(random, searchReferrer);
}

/** Where a visit lands: the ad's landing page, a blog post from search and social, the home page otherwise. */
export function landingPage(random: Random, arrival: Arrival): SitePage {
  switch (arrival.kind) {
    case 'paid':
    case 'email':
      return arrival.campaign.landing;
    case 'organic_search':
      return random.chance(0.55) ? random.pick(viewableContent).page : random.weighted([[pages.home, 3], [pages.attribution, 2], [pages.pricing, 1]]);
    case 'organic_social':
      return random.pick(viewableContent).page;
    case 'referral':
      return random.weighted([[pages.home, 3], [pages.pricing, 2], [pages.customers, 1]]);
    case 'direct':
      return random.weighted([[pages.home, 5], [pages.pricing, 2], [pages.product, 1]]);
    default: {
      const unexpected: never = arrival;
      throw new Error(`unexpected arrival ${JSON.stringify(unexpected)}`);
    }
  }
}

/** The utm_* and click id a landing URL carries, in the order ad platforms write them. */
export interface LandingQuery {
  readonly search: string;
  readonly campaign: { readonly name: string; readonly source: string; readonly medium: string; readonly term?: string; readonly content: string } | null;
  readonly referrer: string;
}

export function landingQuery(random: Random, arrival: Arrival): LandingQuery {
  if (arrival.kind === 'direct') return { search: '', campaign: null, referrer: '' };
  if (arrival.kind === 'email') {
    const campaign = { name: arrival.campaign.id, source: 'orbitly', medium: 'email', content: 'main-cta' };
    return { search: `?${new URLSearchParams({ utm_source: campaign.source, utm_medium: campaign.medium, utm_campaign: campaign.name, utm_content: campaign.content }).toString()}`, campaign, referrer: '' };
  }
  if (arrival.kind !== 'paid') return { search: '', campaign: null, referrer: arrival.referrer };
  const ad = arrival.campaign;
  const term = ad.terms.length > 0 ? random.pick(ad.terms) : undefined;
  const content = random.pick(ad.contents);
  const params = new URLSearchParams({ utm_source: ad.source, utm_medium: ad.medium, utm_campaign: ad.name });
  if (term !== undefined) params.set('utm_term', term);
  params.set('utm_content', content);
  params.set(ad.clickId, clickIdValue(random, ad.clickId));
  const referrer = adReferrer(ad);
  return { search: `?${params.toString()}`, campaign: { name: ad.name, source: ad.source, medium: ad.medium, ...(term === undefined ? {} : { term }), content }, referrer };
}

function clickIdValue(random: Random, param: ClickIdParam): string {
  switch (param) {
    case 'gclid':
      return `Cj0KCQjw${random.token(52)}_BwE`;
    case 'msclkid':
      return random.hex(32);
    case 'li_fat_id':
      return `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${random.hex(3)}-${random.hex(12)}`;
    case 'fbclid':
      return `IwAR${random.token(56)}`;
    case 'dclid':
      return `CJ${random.token(38)}`;
    default: {
      const unexpected: never = param;
      throw new Error(`unexpected click id ${String(unexpected)}`);
    }
  }
}

/** The page the ad was clicked on, as browsers report it (search engines send their origin only). */
function adReferrer(ad: AdCampaign): string {
  switch (ad.source) {
    case 'google':
      return ad.medium === 'cpc' ? 'https://www.google.com/' : '';
    case 'bing':
      return 'https://www.bing.com/';
    case 'linkedin':
      return 'https://www.linkedin.com/';
    case 'facebook':
      return 'https://l.facebook.com/';
    default:
      return '';
  }
}

export const siteUrl = (page: SitePage, search = ''): string => `${site.origin}${page.path}${search}`;
