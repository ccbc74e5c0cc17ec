import { describe, expect, it } from 'vitest';
import { ConcurrencyError, NudgeError, ValidationError } from '../../services/core/index.ts';

describe('errors', () => {
  it('a concurrency error says which stream, what was expected and what was found', () => {
    const error = new ConcurrencyError('lead-42', 3, 5);

    expect(error).toBeInstanceOf(NudgeError);
    expect(error).toMatchObject({ name: 'ConcurrencyError', code: 'concurrency_conflict', stream: 'lead-42', expected: 3, actual: 5 });
    expect(error.message).toBe('stream lead-42: expected revision 3, but it is at revision 5');
    expect(new ConcurrencyError('lead-1', 'noStream', 0).message).toBe('stream lead-1: expected noStream, but it is at revision 0');
    expect(new ConcurrencyError('lead-1', 'streamExists', null).message).toBe('stream lead-1: expected streamExists, but it is absent');
  });

  it('a validation error lists every failing field in its message', () => {
    const error = new ValidationError('cannot append', [
      { path: 'events[0].id', message: 'must be a UUID' },
      { path: '', message: 'is empty' },
    ]);

    expect(error.message).toBe('cannot append: events[0].id: must be a UUID; (root): is empty');
    expect(error.issues).toHaveLength(2);
  });
});
