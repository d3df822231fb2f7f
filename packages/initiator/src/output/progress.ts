import type { TransferProgress } from '@snapsync/core';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** formatBytes keeps to three significant digits so the line does not jitter as numbers grow. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  // 999.5 and up would print as four digits: show the next unit instead.
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 9.95 ? value.toFixed(1) : Math.round(value).toString()} ${UNITS[unit]}`;
}

/** formatDuration prints m:ss or h:mm:ss; '--:--' when unknown or too far off to mean anything. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds >= 100 * 3600) return '--:--';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** RATE_WINDOW_MS: long enough to smooth chunky acks, short enough to follow a changing link. */
const RATE_WINDOW_MS = 5000;
/** SAMPLE_MS bounds the sample list to a few dozen entries whatever the chunk rate. */
const SAMPLE_MS = 200;

/** TransferStats adds up progress events and measures the rate over a sliding window. */
export class TransferStats {
  planned = 0;
  moved = 0;
  private readonly samples: { at: number; moved: number }[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  record(event: TransferProgress, now: number): void {
    // The clock starts with the first event, so time spent scanning does not dilute the rate.
    if (this.samples.length === 0) this.samples.push({ at: now, moved: this.moved });
    if (event.kind === 'planned') this.planned += event.bytes;
    else this.moved += event.bytes;
    const last = this.samples[this.samples.length - 1]!;
    if (now - last.at >= SAMPLE_MS) this.samples.push({ at: now, moved: this.moved });
  }

  /** rate is bytes per second since the oldest sample still in the window; undefined before any time passed. */
  rate(now: number): number | undefined {
    // Keep one sample at or before the window's start as the baseline.
    while (this.samples.length > 1 && this.samples[1]!.at <= now - this.windowMs) this.samples.shift();
    const base = this.samples[0];
    if (base === undefined || now <= base.at) return undefined;
    return ((this.moved - base.moved) * 1000) / (now - base.at);
  }

  /** percent of the planned bytes moved so far, rounded down so 100 means done. */
  percent(): number {
    if (this.planned <= 0) return 0;
    return Math.min(100, Math.floor((this.moved * 100) / this.planned));
  }

  /** eta is the seconds the remaining planned bytes take at `rate`; undefined without a rate. */
  eta(rate: number | undefined): number | undefined {
    if (rate === undefined || rate <= 0) return undefined;
    return Math.max(0, this.planned - this.moved) / rate;
  }
}

/** TEXT_WIDTH fits the widest numbers, so the bar starts in the same column on every redraw. */
const TEXT_WIDTH = 43;
const MIN_BAR = 10;

/** renderLine lays out one frame: `  42% 1.2 GB/2.9 GB  310 MB/s  ETA 0:05  [####......]`. */
export function renderLine(stats: TransferStats, rate: number | undefined, columns: number): string {
  const percent = stats.percent();
  const speed = rate === undefined ? '--' : `${formatBytes(rate)}/s`;
  const amount = `${formatBytes(stats.moved)}/${formatBytes(stats.planned)}`;
  const text = `${`${percent}%`.padStart(5)} ${amount.padEnd(13)} ${speed.padStart(9)}  ETA ${formatDuration(stats.eta(rate))}`;
  // One column short of the edge: writing the last column makes some terminals wrap.
  const room = columns - 1;
  const barWidth = room - TEXT_WIDTH - 4;
  if (barWidth < MIN_BAR) return text.slice(0, room);
  const filled = Math.round((barWidth * percent) / 100);
  return `${text.padEnd(TEXT_WIDTH)}  [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
}

export interface ProgressBarOptions {
  write: (text: string) => void;
  now?: () => number;
  /** columns is read at every frame so a resized window is followed; 80 when unknown. */
  columns?: () => number | undefined;
  intervalMs?: number;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * ProgressBar draws TransferStats on one terminal line, redrawn in place at most every
 * intervalMs (chunks arrive far faster than anyone reads). Whoever prints a line calls clear()
 * first, so lines never land on top of a half-drawn bar.
 */
export class ProgressBar {
  private readonly stats = new TransferStats();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private drawnAt = -Infinity;
  private shown = false;
  private closed = false;

  constructor(private readonly options: ProgressBarOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 100;
  }

  update(event: TransferProgress): void {
    if (this.closed) return;
    const now = this.now();
    this.stats.record(event, now);
    if (now - this.drawnAt < this.intervalMs) return;
    this.drawnAt = now;
    const line = renderLine(this.stats, this.stats.rate(now), this.options.columns?.() || 80);
    // Clear after the text, not before, so the line never flashes empty.
    this.options.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  /** clear erases the bar, if drawn, for another line to take its place; updates draw it again. */
  clear(): void {
    if (!this.shown) return;
    this.options.write(CLEAR_LINE);
    this.shown = false;
  }

  /** close erases the bar for good: late events (acks after the end) must not bring it back. */
  close(): void {
    this.clear();
    this.closed = true;
  }
}
