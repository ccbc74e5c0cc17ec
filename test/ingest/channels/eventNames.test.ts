/**
 * The event-name catalogue: given a track event name, when ingestion asks what it is, then a touch
 * or a system event — exactly as Segment spells it, or found again from another spelling.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalEventName,
  eventCatalogue,
  eventNameEntry,
  eventNameKey,
  isSystemEvent,
  systemEventNames,
  touchEventNames,
} from '../../../services/ingest/channels/index.ts';

const docs = readFileSync(new URL('../../../docs/channels.md', import.meta.url), 'utf8');

describe('isSystemEvent', () => {
  it.each(['Lifecycle Stage Changed', 'Lead Status Changed', 'Lead Tagged', 'Lead Untagged', 'Owner Assigned', 'Unsubscribed', 'Email Bounced', 'Email Delivered', 'Email Marked as Spam', 'Trial Ended', 'Account Created'])(
    'given %s, then it is a system event',
    (name) => {
      expect(isSystemEvent(name)).toBe(true);
    },
  );

  it.each(['Page Viewed', 'Webinar Registered', 'Email Link Clicked', 'Email Opened', 'Live Chat Message Sent', 'Trial Started', 'Signed Up', 'Demo Requested', 'Meeting Held', 'Our Own Custom Event'])(
    'given %s, then it is not (a touch)',
    (name) => {
      expect(isSystemEvent(name)).toBe(false);
    },
  );

  it('compares names exactly, as Segment does', () => {
    expect(isSystemEvent('lifecycle stage changed')).toBe(false);
    expect(isSystemEvent(canonicalEventName('lifecycle_stage_changed')!)).toBe(true);
  });
});

describe('canonicalEventName', () => {
  it.each([
    ['webinar_registered', 'Webinar Registered'],
    ['WEBINAR REGISTERED', 'Webinar Registered'],
    ['webinar-registered', 'Webinar Registered'],
    ['WebinarRegistered', 'Webinar Registered'],
    ['  Webinar   Registered ', 'Webinar Registered'],
    ['webinar_on_demand_viewed', 'Webinar On-Demand Viewed'],
    ['email_marked_as_spam', 'Email Marked as Spam'],
    ['lead_tagged', 'Lead Tagged'],
    ['live_chat_message_received', 'Live Chat Message Received'],
  ])('given %s, then %s', (written, canonical) => {
    expect(canonicalEventName(written)).toBe(canonical);
  });

  it('given a name not in the catalogue, then null', () => {
    expect(canonicalEventName('Pricing Calculator Used')).toBeNull();
  });

  it('gives the entry with its kind and properties', () => {
    expect(eventNameEntry('lifecycle_stage_changed')).toMatchObject({
      name: 'Lifecycle Stage Changed',
      kind: 'system',
      properties: [{ name: 'stage', required: true }, { name: 'amount', required: false }, { name: 'currency', required: false }],
    });
  });
});

describe('the catalogue', () => {
  it('has no two names that one spelling could mean', () => {
    const keys = eventCatalogue.map((entry) => eventNameKey(entry.name));

    expect(new Set(keys).size).toBe(keys.length);
  });

  it('splits every name into exactly one of touches and system events', () => {
    expect([...touchEventNames, ...systemEventNames].sort()).toEqual(eventCatalogue.map((entry) => entry.name).sort());
    expect(touchEventNames.filter((name) => systemEventNames.includes(name))).toEqual([]);
  });

  it('describes every name in one line', () => {
    expect(eventCatalogue.filter((entry) => entry.description.trim() === '' || entry.description.includes('\n')).map((entry) => entry.name)).toEqual([]);
  });

  it('holds the Segment Email, Live Chat and B2B SaaS spec names', () => {
    const names = eventCatalogue.map((entry) => entry.name);
    const segmentSpec = [
      ...['Email Bounced', 'Email Delivered', 'Email Link Clicked', 'Email Marked as Spam', 'Email Opened', 'Unsubscribed'],
      ...['Live Chat Conversation Started', 'Live Chat Conversation Ended', 'Live Chat Message Sent', 'Live Chat Message Received'],
      ...['Account Created', 'Account Deleted', 'Signed Up', 'Signed In', 'Signed Out', 'Invite Sent', 'Account Added User', 'Account Removed User', 'Trial Started', 'Trial Ended'],
    ];

    expect(segmentSpec.filter((name) => !names.includes(name))).toEqual([]);
  });
});

describe('docs/channels.md', () => {
  const section = (heading: string): string => {
    const start = docs.indexOf(heading);
    const end = docs.indexOf('\n#', start + heading.length);
    return start < 0 ? '' : docs.slice(start, end < 0 ? undefined : end);
  };

  it('lists every touch event in the touch table', () => {
    const table = section('### Touch events');

    expect(touchEventNames.filter((name) => !table.includes(`| ${name} |`))).toEqual([]);
  });

  it('lists every system event, with its properties, in the system table', () => {
    const table = section('### System events');
    const missing = eventCatalogue
      .filter((entry) => entry.kind === 'system')
      .filter((entry) => !table.includes(`| ${entry.name} |`) || (entry.properties ?? []).some((p) => !table.includes(`\`${p.name}\``)));

    expect(missing.map((entry) => entry.name)).toEqual([]);
  });
});
