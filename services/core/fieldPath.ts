import type { FieldIssue } from './errors.ts';

/** `['events', 0, 'properties', 'title']` → `events[0].properties.title`, the way users write paths. */
export function fieldPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}

/** Zod's (or any Standard Schema's) issues as field issues, each path prefixed (e.g. `body`). */
export function fieldIssues(
  issues: readonly { readonly path?: readonly PropertyKey[] | undefined; readonly message: string }[],
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] {
  return issues.map((issue) => ({ path: fieldPath([...prefix, ...(issue.path ?? [])]), message: issue.message }));
}
