/**
 * The event names journeys can wait for and trigger on, so that the validator can warn about a
 * name that is probably a typo (`Webinar Atended`): a trigger with a misspelt name is valid, but
 * no lead will ever enter it.
 *
 * Touches may carry any name (teams send their own track events), so an unknown name is only
 * suspicious when it is close to a known one.
 */

/**
 * The names the journey runner gives the lead-state and suggestion events it hands to journeys
 * (journeys/facts/eventFacts.ts, `systemEventNameOfType`), and the proposal itself.
 */
export const systemEventNames = [
  'Lifecycle Stage Changed',
  'Lead Status Changed',
  'Lead Tagged',
  'Lead Untagged',
  'Owner Assigned',
  'Lead Score Changed',
  'Lead Identified',
  'Traits Updated',
  'Account Associated',
  'Visitor Linked',
  'Leads Merged',
  // Not 'Suggestion Proposed': journeys make proposals, they are not an event journeys react to.
  'Suggestion Accepted',
  'Suggestion Completed',
  'Suggestion Dismissed',
  'Suggestion Snoozed',
  'Suggestion Expired',
  'Email Sent',
] as const;

/**
 * A copy of `touchEventNames` in services/ingest/channels/eventNames.ts (the documented touch
 * names, docs/channels.md): journeys are domain code and may not import services/ingest.
 * test/journeys/document/eventNames.test.ts fails when the two lists drift apart.
 */
export const touchEventNames = [
  'Page Viewed',
  'Screen Viewed',
  'Signed Up',
  'Signed In',
  'Signed Out',
  'Invite Sent',
  'Trial Started',
  'Live Chat Conversation Started',
  'Live Chat Conversation Ended',
  'Live Chat Message Sent',
  'Live Chat Message Received',
  'Email Opened',
  'Email Link Clicked',
  'Webinar Registered',
  'Webinar Attended',
  'Webinar On-Demand Viewed',
  'Content Viewed',
  'Content Downloaded',
  'Form Submitted',
  'Demo Requested',
  'Event Registered',
  'Event Attended',
  'Booth Visited',
  'Meeting Booked',
  'Meeting Held',
  'Call Completed',
  'Ad Clicked',
] as const;

export const knownEventNames: readonly string[] = [...systemEventNames, ...touchEventNames];
