/**
 * Where the demo's buyers live and what they are called: countries with their locale, time zone,
 * names, free-mail providers and chat networks; job titles by seniority; browsers. Everything a
 * person could be contacted by is fictional: account domains are under the reserved `.example`
 * TLD, phone numbers are in ranges kept for drama (NANP 555-01xx, Ofcom's 020 7946 0xxx …),
 * IP addresses in the documentation ranges (RFC 5737, RFC 3849).
 */

export type CountryCode = 'US' | 'GB' | 'DE' | 'FR' | 'NL' | 'CN' | 'JP' | 'AU' | 'IN' | 'BR';

export interface Country {
  readonly code: CountryCode;
  readonly locale: string;
  readonly timezone: string;
  readonly utcOffsetHours: number;
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  /** Free-mail providers people there use, most common first (all in the shipped free-mail list). */
  readonly freeMail: readonly string[];
  /** The search engine people there come from. */
  readonly searchReferrer: string;
  /** Fictional phone ranges exist for a few countries only; elsewhere nobody gets a phone. */
  readonly phones: 'nanp' | 'ofcom' | null;
  /** The chat network whose handle some people leave in forms. */
  readonly chatTrait: 'wechat_id' | 'whatsapp_id' | null;
}

const anglo = {
  firstNames: ['James', 'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan', 'Sophia', 'Mason', 'Isabella', 'Lucas', 'Mia', 'Aiden', 'Charlotte', 'Daniel', 'Amelia', 'Matthew', 'Harper', 'David', 'Grace', 'Samuel', 'Chloe', 'Ryan', 'Zoe', 'Nathan', 'Hannah', 'Owen', 'Lily', 'Caleb', 'Nora'],
  lastNames: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Campbell', 'Mitchell', 'Carter', 'Evans', 'Turner', 'Patel', 'Nguyen', "O'Brien"],
};

export const countries: readonly Country[] = [
  { code: 'US', locale: 'en-US', timezone: 'America/New_York', utcOffsetHours: -5, ...anglo, freeMail: ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'], searchReferrer: 'https://www.google.com/', phones: 'nanp', chatTrait: null },
  { code: 'GB', locale: 'en-GB', timezone: 'Europe/London', utcOffsetHours: 0, ...anglo, freeMail: ['gmail.com', 'hotmail.co.uk', 'outlook.com'], searchReferrer: 'https://www.google.co.uk/', phones: 'ofcom', chatTrait: 'whatsapp_id' },
  {
    code: 'DE',
    locale: 'de-DE',
    timezone: 'Europe/Berlin',
    utcOffsetHours: 1,
    firstNames: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Laura', 'Maximilian', 'Sophie', 'Paul', 'Julia', 'Tobias', 'Katrin', 'Florian', 'Miriam', 'Jan', 'Sabine'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter', 'Wolf', 'Schröder', 'Neumann', 'Zimmermann'],
    freeMail: ['gmx.de', 'web.de', 'gmail.com'],
    searchReferrer: 'https://www.google.de/',
    phones: null,
    chatTrait: null,
  },
  {
    code: 'FR',
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
    utcOffsetHours: 1,
    firstNames: ['Camille', 'Louis', 'Léa', 'Hugo', 'Manon', 'Jules', 'Chloé', 'Lucas', 'Inès', 'Arthur', 'Sarah', 'Théo', 'Julie', 'Nicolas'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel'],
    freeMail: ['gmail.com', 'orange.fr', 'free.fr'],
    searchReferrer: 'https://www.google.fr/',
    phones: null,
    chatTrait: null,
  },
  {
    code: 'NL',
    locale: 'nl-NL',
    timezone: 'Europe/Amsterdam',
    utcOffsetHours: 1,
    firstNames: ['Daan', 'Sanne', 'Bram', 'Lotte', 'Sem', 'Fleur', 'Thijs', 'Eva', 'Ruben', 'Iris', 'Jesse', 'Noor'],
    lastNames: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'Bos', 'Vos'],
    freeMail: ['gmail.com', 'hotmail.com', 'outlook.com'],
    searchReferrer: 'https://www.google.nl/',
    phones: null,
    chatTrait: null,
  },
  {
    code: 'CN',
    locale: 'zh-CN',
    timezone: 'Asia/Shanghai',
    utcOffsetHours: 8,
    firstNames: ['Wei', 'Fang', 'Jing', 'Lei', 'Min', 'Yan', 'Jun', 'Hui', 'Xin', 'Tao', 'Ying', 'Hao', 'Qiang', 'Lina'],
    lastNames: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'Lin'],
    freeMail: ['qq.com', '163.com', '126.com'],
    searchReferrer: 'https://www.baidu.com/',
    phones: null,
    chatTrait: 'wechat_id',
  },
  {
    code: 'JP',
    locale: 'ja-JP',
    timezone: 'Asia/Tokyo',
    utcOffsetHours: 9,
    firstNames: ['Haruto', 'Yui', 'Sota', 'Aoi', 'Ren', 'Hina', 'Yuto', 'Mei', 'Kenji', 'Akiko', 'Takeshi', 'Naomi', 'Hiroshi', 'Yuki'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato', 'Yoshida', 'Yamada'],
    freeMail: ['gmail.com', 'yahoo.co.jp'],
    searchReferrer: 'https://www.google.co.jp/',
    phones: null,
    chatTrait: null,
  },
  { code: 'AU', locale: 'en-AU', timezone: 'Australia/Sydney', utcOffsetHours: 10, ...anglo, freeMail: ['gmail.com', 'bigpond.com', 'outlook.com'], searchReferrer: 'https://www.google.com.au/', phones: null, chatTrait: null },
  {
    code: 'IN',
    locale: 'en-IN',
    timezone: 'Asia/Kolkata',
    utcOffsetHours: 5.5,
    firstNames: ['Aarav', 'Priya', 'Rohan', 'Ananya', 'Vikram', 'Sneha', 'Arjun', 'Kavya', 'Rahul', 'Isha', 'Karan', 'Divya'],
    lastNames: ['Sharma', 'Patel', 'Gupta', 'Singh', 'Kumar', 'Reddy', 'Iyer', 'Nair', 'Mehta', 'Joshi', 'Rao', 'Das'],
    freeMail: ['gmail.com', 'rediffmail.com', 'yahoo.com'],
    searchReferrer: 'https://www.google.co.in/',
    phones: null,
    chatTrait: null,
  },
  {
    code: 'BR',
    locale: 'pt-BR',
    timezone: 'America/Sao_Paulo',
    utcOffsetHours: -3,
    firstNames: ['Gabriel', 'Ana', 'Lucas', 'Mariana', 'Pedro', 'Beatriz', 'Rafael', 'Juliana', 'Thiago', 'Camila', 'Bruno', 'Larissa'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gomes', 'Costa', 'Ribeiro'],
    freeMail: ['gmail.com', 'uol.com.br', 'hotmail.com'],
    searchReferrer: 'https://www.google.com.br/',
    phones: null,
    chatTrait: null,
  },
];

/** How accounts spread over countries. */
export const countryWeights: readonly (readonly [CountryCode, number])[] = [
  ['US', 40],
  ['GB', 12],
  ['DE', 10],
  ['FR', 6],
  ['NL', 4],
  ['CN', 8],
  ['JP', 5],
  ['AU', 5],
  ['IN', 5],
  ['BR', 5],
];

export type Seniority = 'executive' | 'manager' | 'practitioner';

/** Titles of the people a revenue-analytics product is bought by, and how much they sway the deal. */
export const titles: readonly (readonly [string, Seniority])[] = [
  ['Chief Marketing Officer', 'executive'],
  ['Chief Revenue Officer', 'executive'],
  ['VP of Marketing', 'executive'],
  ['VP of Sales', 'executive'],
  ['Head of Growth', 'executive'],
  ['Director of Demand Generation', 'manager'],
  ['Director of Revenue Operations', 'manager'],
  ['Marketing Operations Manager', 'manager'],
  ['Sales Operations Manager', 'manager'],
  ['Head of Marketing Analytics', 'manager'],
  ['Demand Generation Manager', 'manager'],
  ['Growth Marketing Manager', 'practitioner'],
  ['Marketing Analyst', 'practitioner'],
  ['Revenue Operations Analyst', 'practitioner'],
  ['Content Marketing Manager', 'practitioner'],
  ['Data Engineer', 'practitioner'],
  ['Account Executive', 'practitioner'],
  ['SDR Team Lead', 'practitioner'],
];

/** Each a desktop or a phone: the second device of people who also browse on their phone. */
export const desktopAgents: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36',
];

export const mobileAgents: readonly string[] = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36',
];

export type Industry = (typeof industries)[number];
export const industries = [
  'Software',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Logistics',
  'Retail',
  'Professional Services',
  'Telecommunications',
  'Education',
  'Energy',
  'Media',
  'Insurance',
] as const;

/** The industries the seller's product fits best (its ideal customer profile). */
export const idealIndustries: ReadonlySet<Industry> = new Set(['Software', 'Financial Services', 'Professional Services', 'Telecommunications']);

export const companyStems: readonly string[] = [
  'Bright', 'Copper', 'North', 'Blue', 'Silver', 'Iron', 'Maple', 'Harbor', 'Summit', 'Cedar', 'Falcon', 'Granite', 'Lumen', 'Nimbus', 'Vertex', 'Atlas',
  'Beacon', 'Crescent', 'Evergreen', 'Horizon', 'Keystone', 'Meridian', 'Orchid', 'Pioneer', 'Redwood', 'Sterling', 'Tidal', 'Willow', 'Zephyr', 'Juniper',
  'Amber', 'Birch', 'Cobalt', 'Delta', 'Ember', 'Fjord', 'Glacier', 'Hollow', 'Indigo', 'Jasper',
];
export const companyRoots: readonly string[] = [
  'lane', 'field', 'stone', 'bridge', 'works', 'point', 'wave', 'path', 'gate', 'forge', 'line', 'peak', 'leaf', 'scale', 'loop', 'grid',
  'bay', 'crest', 'dale', 'fort', 'mark', 'ridge', 'shore', 'vale',
];

/** A company-name suffix that suits its industry. */
export const companySuffixes: Readonly<Record<Industry, readonly string[]>> = {
  Software: ['Software', 'Labs', 'Technologies', 'Cloud'],
  'Financial Services': ['Capital', 'Financial', 'Payments'],
  Healthcare: ['Health', 'Medical', 'Care'],
  Manufacturing: ['Manufacturing', 'Industries', 'Components'],
  Logistics: ['Logistics', 'Freight', 'Supply'],
  Retail: ['Retail', 'Stores', 'Commerce'],
  'Professional Services': ['Partners', 'Consulting', 'Advisory'],
  Telecommunications: ['Networks', 'Telecom', 'Connect'],
  Education: ['Learning', 'Academy', 'Education'],
  Energy: ['Energy', 'Power', 'Renewables'],
  Media: ['Media', 'Studios', 'Publishing'],
  Insurance: ['Insurance', 'Assurance', 'Mutual'],
};

/** Letters a name keeps in an email address: `Müller` → `mueller`, `O'Brien` → `obrien`, `de Jong` → `dejong`. */
export function emailSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]/g, '');
}
