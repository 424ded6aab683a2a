// recall@k (src/recall.ts), shared by the CLI, the benchmarks, the pages and these tests:
// exact on small tables, a repeated id counts once, bad strides are errors that say why.
import { describe, expect, test } from 'vitest';
import { recallAtK } from '../src/recall.ts';

describe('recallAtK', () => {
  const gt = [1, 2, 3, 9, 4, 5, 6, 9]; // two queries, gt rows of 4, the first 3 count at k = 3

  test('mean over queries of the true top-k found in the first k results', () => {
    expect(recallAtK([3, 2, 1, 5, 7, 8], 3, gt, 4, 3)).toBe(4 / 6);
    expect(recallAtK([1, 2, 3, 4, 5, 6], 3, gt, 4, 3)).toBe(1);
  });

  test('only the first k of a longer found row count; padding never matches', () => {
    expect(recallAtK([1, 7, 2, 3, -1, -1, -1, -1], 4, gt, 4, 2)).toBe(1 / 4);
  });

  test('a result list holding the same id twice counts it once', () => {
    expect(recallAtK([1, 1, 1, 4, 4, 4], 3, gt, 4, 3)).toBe(2 / 6);
  });

  test('no queries give NaN', () => {
    expect(recallAtK([], 3, [], 4, 3)).toBeNaN();
  });

  test('bad k and strides are errors naming the numbers', () => {
    expect(() => recallAtK([1, 2, 3, 4, 5, 6], 3, gt, 4, 5)).toThrow('recall@5 needs at least 5 ground-truth ids per query, gt has 4');
    expect(() => recallAtK([1, 2, 4, 5], 2, gt, 4, 3)).toThrow('recall@3 needs 3 results per query, found rows have 2');
    expect(() => recallAtK([1, 2, 3], 3, gt, 4, 3)).toThrow('found has 3 ids, expected 2 queries x 3');
    expect(() => recallAtK([1, 2, 3], 3, [1, 2, 3, 4, 5], 4, 3)).toThrow('gt has 5 ids, not a whole number of rows of 4');
    expect(() => recallAtK([1, 2, 3], 3, gt, 4, 0)).toThrow('positive integer k, got 0');
  });
});
