/**
 * The Segment messages the demo writes, one JSON object per line: the calls analytics.js sends
 * from the browser, and the tracks the seller's back office (CRM, email and webinar services)
 * sends with analytics-node. No `sentAt`: the file is a historical import, so ingestion takes
 * `timestamp` as the time the thing happened.
 */
export type DemoMessage = PageCall | TrackCall | IdentifyCall | GroupCall | AliasCall;

type Properties = Readonly<Record<string, string | number | boolean>>;

/** What analytics.js puts in `context` on a page, or what a server library puts there. */
export interface DemoContext {
  readonly ip?: string;
  readonly userAgent?: string;
  readonly locale?: string;
  readonly timezone?: string;
  readonly library: { readonly name: string; readonly version: string };
  readonly page?: { readonly path: string; readonly referrer: string; readonly search: string; readonly title: string; readonly url: string };
  readonly campaign?: { readonly name: string; readonly source: string; readonly medium: string; readonly term?: string; readonly content: string };
}

interface Who {
  readonly userId?: string;
  readonly anonymousId?: string;
}

interface Envelope {
  readonly messageId: string;
  readonly timestamp: string;
  readonly context: DemoContext;
}

export type PageCall = Envelope & Who & { readonly type: 'page'; readonly name: string; readonly properties: Properties };
export type TrackCall = Envelope & Who & { readonly type: 'track'; readonly event: string; readonly properties: Properties };
export type IdentifyCall = Envelope & Who & { readonly type: 'identify'; readonly userId: string; readonly traits: Properties };
export type GroupCall = Envelope & Who & { readonly type: 'group'; readonly groupId: string; readonly traits: Properties };
export type AliasCall = Envelope & { readonly type: 'alias'; readonly userId: string; readonly previousId: string; readonly anonymousId: string };

type DraftOf<M> = M extends DemoMessage ? Omit<M, 'messageId' | 'timestamp'> : never;
/** A message before the stream gives it its id and time. */
export type DraftMessage = DraftOf<DemoMessage>;

/** A draft and when it happens. */
export interface TimedDraft {
  readonly at: number;
  readonly draft: DraftMessage;
}
