/** codeOf runs action and returns the code of what it threw; undefined when it did not throw. */
export function codeOf(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return (err as { code?: unknown }).code;
  }
  return undefined;
}

/** thrownBy runs action and returns what it threw (sync or async); the test fails when it did not throw. */
export async function thrownBy(action: () => unknown, what: string): Promise<{ code: string; message: string }> {
  try {
    await action();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error(`expected ${what} to be refused`);
}
