/**
 * Sites as channel rules name them: a token (`google`, `linkedin`) or a domain (`lnkd.in`, `t.co`).
 * A source or referrer is matched against a site without a public-suffix list: the common
 * country second levels (`co.uk`, `com.au`, `co.jp`, …) are enough to find the brand label of
 * `www.google.co.uk`, and a wrong guess on an exotic suffix costs one misnamed referral.
 */

/** Second-level labels under a two-letter country code that belong to the suffix, not the site. */
const COUNTRY_SECOND_LEVELS = new Set(['ac', 'co', 'com', 'edu', 'gob', 'go', 'gov', 'gv', 'ltd', 'mil', 'ne', 'net', 'nic', 'or', 'org', 'plc', 'sch']);

/**
 * The lower-cased host of a URL or bare host name, or null when there is none: `https://www.Google.co.uk/x`
 * → `www.google.co.uk`; `android-app://com.linkedin.android/` → `com.linkedin.android`. A host needs a dot,
 * so `localhost` and placeholders such as `$direct` count as no host.
 */
export function hostOf(value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  // Most referrers and page URLs are plain http(s) URLs with an ASCII host: read it off the text
  // (what the URL parser would give), and leave everything else (ports, user info, IP numbers,
  // percent-encoding, other schemes, unicode) to the parser.
  const plain = PLAIN_HOST.exec(text);
  if (plain !== null && !NUMERIC_LABEL.test(plain[1]!)) return plain[1]!.toLowerCase();
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`).hostname;
  } catch {
    return null;
  }
  host = host.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

/** An http(s) URL or bare host whose host is dot-separated ASCII labels (a final dot dropped), then a path, query, fragment or the end. */
const PLAIN_HOST = /^(?:https?:\/\/)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\.?(?=[/?#]|$)/i;
/** A last label the URL parser would read as part of an IPv4 address (`127.0.0.1`, `0x7f.1`). */
const NUMERIC_LABEL = /\.(?:\d+|0x[0-9a-f]*)$/i;

/** The registrable part of a host: `blog.acme.co.uk` → `acme.co.uk`, `l.facebook.com` → `facebook.com`. */
export function siteOf(host: string): string {
  // Touches name the same few hosts again and again (each touch asks for its referrer's and its page's).
  let site = sites.get(host);
  if (site === undefined) {
    site = siteOfHost(host);
    if (sites.size >= SITES_KEPT) sites.clear();
    sites.set(host, site);
  }
  return site;
}

const SITES_KEPT = 10_000;
const sites = new Map<string, string>();

function siteOfHost(host: string): string {
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const last = labels[labels.length - 1]!;
  const secondLast = labels[labels.length - 2]!;
  const suffixLength = last.length === 2 && COUNTRY_SECOND_LEVELS.has(secondLast) ? 2 : 1;
  return labels.slice(-(suffixLength + 1)).join('.');
}

/** The brand label of a host: `www.google.co.uk` → `google`. */
function brandOf(host: string): string {
  return siteOf(host).split('.')[0]!;
}

/**
 * Does a source (`google`, `Google.com`) or referrer host belong to a listed site? A token entry
 * matches the same token or any host whose brand label it is (`google` ~ `www.google.co.uk`); a
 * domain entry matches itself and its subdomains (`linkedin.com` ~ `www.linkedin.com`, `t.co` ≁ `reddit.co`).
 * Both sides are compared lower-cased; a URL given as a source is reduced to its host.
 */
export function matchesSite(value: string, entry: string): boolean {
  const wanted = entry.trim().toLowerCase();
  let candidate = value.trim().toLowerCase();
  if (candidate.includes('://')) candidate = hostOf(candidate) ?? candidate;
  if (candidate === wanted) return true;
  if (!candidate.includes('.')) return false;
  return wanted.includes('.') ? candidate.endsWith(`.${wanted}`) : brandOf(candidate) === wanted;
}
