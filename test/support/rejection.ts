/**
 * The error a promise rejects with, of the kind expected; the test fails when it resolves or rejects
 * with anything else. (The SDKs' promises are not ones `expect().rejects` reads well, and tests want
 * the error's fields.)
 */
export async function rejection<E extends Error>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a ${kind.name}, but the promise resolved`);
}
