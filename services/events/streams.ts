/** Stream names (DESIGN.md): one place that spells them. */
export const streams = {
  lead: (leadId: string) => `lead-${leadId}`,
  visitor: (anonymousId: string) => `visitor-${anonymousId}`,
  account: (accountId: string) => `account-${accountId}`,
  journey: (journeyId: string) => `journey-${journeyId}`,
  rep: (repId: string) => `rep-${repId}`,
} as const;

/** The lead id of a `lead-<id>` stream, or null for any other stream. */
export function leadIdOfStream(stream: string): string | null {
  return stream.startsWith('lead-') ? stream.slice('lead-'.length) : null;
}

/** The anonymousId of a `visitor-<anonymousId>` stream, or null for any other stream. */
export function visitorOfStream(stream: string): string | null {
  return stream.startsWith('visitor-') ? stream.slice('visitor-'.length) : null;
}

/** The journey id of a `journey-<id>` stream, or null for any other stream. */
export function journeyIdOfStream(stream: string): string | null {
  return stream.startsWith('journey-') ? stream.slice('journey-'.length) : null;
}
