import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldIssues, fieldPath } from '../../services/core/index.ts';

describe('field paths', () => {
  it('are written the way users write them', () => {
    expect(fieldPath(['nodes', 'check-fit', 'branches', 0, 'when', 'all', 1, 'fact'])).toBe('nodes.check-fit.branches[0].when.all[1].fact');
    expect(fieldPath(['properties', 'utm source'])).toBe('properties["utm source"]');
    expect(fieldPath([0, 'name'])).toBe('[0].name');
    expect(fieldPath([])).toBe('');
  });

  it('turn zod issues into field issues under a prefix', () => {
    const schema = z.object({ batch: z.array(z.object({ messageId: z.string() })) });
    const result = schema.safeParse({ batch: [{ messageId: 'a' }, { messageId: 7 }] });

    expect(result.success).toBe(false);
    expect(fieldIssues(result.error!.issues, ['body'])).toEqual([
      { path: 'body.batch[1].messageId', message: expect.stringContaining('string') as unknown },
    ]);
  });
});
