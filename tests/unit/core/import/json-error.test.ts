import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstJsonError, locateJsonError } from '../../../../src/core/import/json-error.ts';

const valid = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('locating JSON errors', () => {
  it.each([
    ['{"a": 1,}', 8],
    ['[1, 2', 5],
    ['{"a" 1}', 5],
    ['tru', 0],
    ['{"a": "\\x"}', 7],
    ['[1] [2]', 4],
    ['', 0],
    ['{"a": 01}', 7],
  ])('finds the error in %j at offset %i', (text, offset) => {
    expect(firstJsonError(text)).toBe(offset);
  });
  it('gives line and column, 1-based', () => {
    expect(locateJsonError('{\n  "a": 1,\n  ]\n}')).toMatchObject({ line: 3, column: 3, found: '"]"' });
  });
  it('handles 100,000 levels of nesting without recursion', () => {
    expect(firstJsonError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(-1);
    expect(firstJsonError(`${'['.repeat(100_000)}${']'.repeat(99_999)}`)).toBe(200_000 - 1);
  });
  it('agrees with JSON.parse on any JSON value and on any string', () => {
    fc.assert(fc.property(fc.json(), (text) => firstJsonError(text) === -1));
    fc.assert(fc.property(fc.string(), (text) => (firstJsonError(text) === -1) === valid(text)), { numRuns: 2000 });
  });
});
