/** codeOf runs action and returns the code of what it threw; undefined when it did not throw. */
export function codeOf(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return (err as { code?: unknown }).code;
  }
  return undefined;
}
