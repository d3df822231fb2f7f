/** wholeNumber checks a config value is a whole number within [min, max]; bad throws the one-line error naming it. */
export function wholeNumber(value: unknown, name: string, min: number, max: number, bad: (what: string) => never): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    bad(`"${name}" must be a whole number from ${min} to ${max}`);
  }
  return value as number;
}
