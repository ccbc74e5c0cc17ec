import { describe, expect, it } from 'vitest';
import { hostOf, siteOf } from '../../../services/ingest/channels/sites.ts';

/** What hostOf answered before it read plain hosts off the text: the WHATWG URL parser's hostname. */
function parsedHost(value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  let host: string;
  try {
    host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`).hostname;
  } catch {
    return null;
  }
  host = host.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

describe('hostOf', () => {
  it('gives what the URL parser gives, for plain hosts and every kind of awkward one', () => {
    const cases = [
      'https://www.Google.co.uk/search?q=x',
      'http://t.co',
      'HTTPS://WWW.LINKEDIN.COM',
      'https://www.google.com./',
      'google.com',
      'www.bing.com/search?q=nudge#top',
      'https://news.ycombinator.com?x=1',
      'https://xn--bcher-kva.example/',
      'https://bücher.example/',
      'https://user:secret@acme.com/private',
      'https://acme.com:8443/x',
      'http://127.0.0.1/admin',
      'http://0x7f.1/',
      'http://10.0.0.1.example.com/',
      'http://a..b.com/',
      'http://-dash.example.com/',
      'https://exa\tmple.com/',
      'https://example.com\\path',
      'https://ex%41mple.com/',
      'https:/example.com',
      'android-app://com.linkedin.android/',
      'ftp://files.example.org/pub',
      'localhost',
      'http://localhost:3000/',
      '$direct',
      '(direct)',
      '   https://padded.example.com/   ',
      'https://',
      'not a url at all',
      'http://[::1]/',
    ];
    for (const value of cases) expect(hostOf(value), value).toBe(parsedHost(value));
  });
});

describe('siteOf', () => {
  it('is the registrable part of a host, the common country second levels counted as suffix', () => {
    expect(siteOf('blog.acme.co.uk')).toBe('acme.co.uk');
    expect(siteOf('l.facebook.com')).toBe('facebook.com');
    expect(siteOf('t.co')).toBe('t.co');
    expect(siteOf('www.google.com.au')).toBe('google.com.au');
    expect(siteOf('a.b.example.de')).toBe('example.de');
  });

  it('answers the same when asked again, including after more distinct hosts than it keeps', () => {
    const hosts = Array.from({ length: 12_000 }, (_, i) => `www.site-${i}.co.uk`);
    for (const host of hosts) expect(siteOf(host)).toBe(host.slice(4));
    expect(siteOf('blog.acme.co.uk')).toBe('acme.co.uk');
    expect(siteOf(hosts[0]!)).toBe('site-0.co.uk');
  });
});
