import type { RecordedEvent } from '../core/index.ts';

export interface FormatOptions {
  readonly json: boolean;
  /** Longest data preview in the human format, in characters. */
  readonly width?: number;
}

/**
 * One event as one line: JSON for scripts (`--json`, one object per line, as stored), or a
 * readable line for people: position, time, stream@revision, type and a preview of the data.
 */
export function formatEvent(event: RecordedEvent, options: FormatOptions): string {
  if (options.json) return JSON.stringify(event);
  const width = options.width ?? 120;
  const data = JSON.stringify(event.data) ?? '';
  const preview = data.length > width ? `${data.slice(0, width - 1)}…` : data;
  return `#${event.position}  ${event.metadata.recordedAt}  ${event.stream}@${event.revision}  ${event.type}  ${preview}`;
}
