// Assertions on WannError: the code, and a message that names what was expected and
// what was given. Used by errors.test.ts and the tests of documented failures.

import { expect } from 'vitest';
import { WannError, type WannErrorCode } from '../../src/index.ts';

/** A fragment the message must contain: a string, or a regexp it must match. */
type Fragment = string | RegExp;

/** `fn()` throws a WannError with `code` whose message contains every fragment; returns it. */
export function expectWannError(fn: () => unknown, code: WannErrorCode, ...fragments: Fragment[]): WannError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  return checkError(thrown, code, fragments);
}

/** The promise rejects with a WannError with `code` whose message contains every fragment. */
export async function expectWannRejection(promise: Promise<unknown>, code: WannErrorCode, ...fragments: Fragment[]): Promise<WannError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  return checkError(thrown, code, fragments);
}

function checkError(thrown: unknown, code: WannErrorCode, fragments: Fragment[]): WannError {
  expect(thrown, 'expected a WannError to be thrown').toBeInstanceOf(WannError);
  const error = thrown as WannError;
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  expect(error.name).toBe('WannError');
  for (const fragment of fragments) {
    if (typeof fragment === 'string') expect(error.message).toContain(fragment);
    else expect(error.message).toMatch(fragment);
  }
  return error;
}

/** A regexp matching `n` as a whole number in a message (so 4 does not match 64). */
export function num(n: number | string): RegExp {
  return new RegExp(`(^|[^0-9.])${String(n).replace(/[.+]/g, '\\$&')}($|[^0-9])`);
}
