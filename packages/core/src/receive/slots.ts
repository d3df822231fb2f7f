/**
 * Slots runs async jobs at most `size` at a time, in the order they were given: what each
 * job holds meanwhile (a file descriptor) stays bounded however many wait.
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next job: running stays as it is.
      if (next !== undefined) next();
      else this.running -= 1;
    }
  }
}
