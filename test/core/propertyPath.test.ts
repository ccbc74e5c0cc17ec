import { describe, expect, it } from 'vitest';
import { parsePropertyPath } from '../../services/core/index.ts';

const keysOf = (path: string): unknown => {
  const parsed = parsePropertyPath(path);
  return parsed.ok ? parsed.keys : parsed.message;
};

const messageOf = (path: string): string => {
  const parsed = parsePropertyPath(path);
  if (parsed.ok) throw new Error(`${path} was accepted`);
  return parsed.message;
};

describe('simple property paths', () => {
  it('read as property keys: names, indexes and quoted names after $', () => {
    expect(keysOf('$')).toEqual([]);
    expect(keysOf('$.traits.country')).toEqual(['traits', 'country']);
    expect(keysOf("$.traits['first name']")).toEqual(['traits', 'first name']);
    expect(keysOf('$.emails[0]')).toEqual(['emails', 0]);
    expect(keysOf('$[12][0].a')).toEqual([12, 0, 'a']);
    expect(keysOf('$.utm-source.$ref._id')).toEqual(['utm-source', '$ref', '_id']);
    expect(keysOf("$['utm.source']['Company Size (employees)']['a:b']['网络']")).toEqual(['utm.source', 'Company Size (employees)', 'a:b', '网络']);
    expect(keysOf("$['0']")).toEqual(['0']);
  });

  it('must start with $, and say how to write it when it does not', () => {
    expect(messageOf('traits.country')).toBe('"traits.country" must start with $ (the fact\'s value): write $.traits.country');
    expect(messageOf('[0]')).toContain('write $[0]');
    expect(messageOf('')).toContain('the path is empty');
  });

  it('refuse what jsonpath-plus reads as more than a property: wildcards, descent, filters, scripts, slices, lists', () => {
    expect(messageOf('$.traits.*')).toBe('"$.traits.*" is not a simple path: `*` (every property) is not supported; name one property, like $.traits.country');
    expect(messageOf('$..country')).toContain('`..` (search at any depth) is not supported');
    expect(messageOf('$.tags[*]')).toContain('name one item, like $.tags[0]');
    expect(messageOf('$.tags[?(@.x > 1)]')).toContain('filters and script expressions are not supported');
    expect(messageOf('$.tags[(@.length-1)]')).toContain('filters and script expressions are not supported');
    expect(messageOf("$['1:2']")).toContain('read as an array slice');
    expect(messageOf("$['a,b']")).toContain('cannot contain ,');
    expect(messageOf("$['(x)']")).toContain('cannot start with ( or ?(');
    expect(messageOf("$['@x']")).toContain('cannot contain @');
    expect(messageOf("$['..']")).toContain('search at any depth');
  });

  it('refuse names that jsonpath-plus reads as the root', () => {
    expect(messageOf('$.$')).toContain('a property named $ is read as the root');
    expect(messageOf("$.a['$']")).toContain('a property named $ is read as the root');
  });

  it('refuse malformed steps with a hint', () => {
    expect(messageOf('$.1st')).toContain("write $['1st']");
    expect(messageOf('$.first name')).toContain("write $['first name']");
    expect(messageOf('$.traits.')).toContain('a name after "." is letters, digits, _, $ and -');
    expect(messageOf('$.tags[01]')).toContain('without leading zeros');
    expect(messageOf('$.tags[1')).toContain('without leading zeros');
    expect(messageOf('$["first name"]')).toContain('quote names with single quotes');
    expect(messageOf("$['first name")).toContain("does not end with ']");
    expect(messageOf("$['']")).toContain('cannot be empty');
    expect(messageOf('$ .a')).toContain('unexpected " " after "$"');
    expect(messageOf('$.a]')).toContain("quote other names: write $['first name']");
    expect(messageOf('$[0]x')).toContain('unexpected "x" after "$[0]"');
  });
});
