// Turning the raw runs into one row per corpus x phase (snapsync and rsync side by side, the
// ratio, the target) and rendering them as Markdown.
export const PHASES = ['initial', 'nochange', 'mutate'];
export const TOOLS = ['snapsync', 'rsync'];
export const RSS_LIMIT_MB = 300;

const MB = 1e6;

export function phaseLabel(phase, corpusName) {
  if (phase === 'nochange') return 'no change';
  if (phase === 'mutate') return corpusName === 'large' ? 'after 1 MiB change' : 'after 1% mutation';
  return phase;
}

/**
 * TARGETS are issue 17's, as it states them: snapsync's time over rsync's (over ssh) at most
 * `most` (0.8: snapsync takes at most 80 % of rsync's time). A row's ratio column is the inverse
 * (rsync ÷ snapsync, > 1 when snapsync is faster), so a target holds when that ratio ≥ 1 / most.
 */
const TARGETS = {
  'small initial': 0.8, 'small nochange': 0.8, 'small mutate': 0.8,
  'large initial': 0.4, 'large mutate': 0.8,
  'mixed initial': 0.6, 'mixed mutate': 1,
};

/** targetFor is the speed target of a row, or null where the issue sets none. */
export function targetFor(corpusName, phase) {
  const most = TARGETS[`${corpusName} ${phase}`];
  if (most === undefined) return null;
  return { ratio: 1 / most, strict: false, most, text: `snapsync ≤ ${most} × rsync` };
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const maxOf = (values) => (values.some((v) => v !== null) ? Math.max(...values.filter((v) => v !== null)) : null);

/** summarizeTool folds the repetitions of one tool on one corpus x phase. */
function summarizeTool(runs, corpusBytes) {
  const good = runs.filter((r) => r.ok);
  const seconds = median(good.map((r) => r.seconds));
  const loop = good.map((r) => r.loopback).filter((v) => v !== null);
  const payload = good.map((r) => r.payloadBytes).filter((v) => v !== null);
  return {
    runs: runs.length,
    passed: good.length,
    ok: runs.length > 0 && good.length === runs.length,
    seconds,
    min: good.length ? Math.min(...good.map((r) => r.seconds)) : null,
    max: good.length ? Math.max(...good.map((r) => r.seconds)) : null,
    mbPerS: seconds ? corpusBytes / seconds / MB : null,
    rssLocalMB: maxOf(runs.map((r) => (r.rssLocalKiB === null ? null : (r.rssLocalKiB * 1024) / MB))),
    rssRemoteMB: maxOf(runs.map((r) => (r.rssRemoteKiB === null ? null : (r.rssRemoteKiB * 1024) / MB))),
    cpuSeconds: median(good.map((r) => r.cpuSeconds).filter((v) => v !== null && v !== undefined)),
    cpuLocal: median(good.map((r) => r.cpuLocal).filter((v) => v !== null && v !== undefined)),
    cpuRemote: median(good.map((r) => r.cpuRemote).filter((v) => v !== null && v !== undefined)),
    loopbackMB: loop.length ? median(loop) / MB : null,
    payloadMB: payload.length ? median(payload) / MB : null,
  };
}

/** summarize returns the table rows, in corpus order then phase order. */
export function summarize(runs, corpora) {
  const rows = [];
  for (const corpus of corpora) {
    for (const phase of PHASES) {
      const row = { corpus: corpus.name, phase, label: phaseLabel(phase, corpus.name), files: corpus.files, bytes: corpus.bytes };
      for (const tool of TOOLS) {
        row[tool] = summarizeTool(runs.filter((r) => r.tool === tool && r.corpus === corpus.name && r.phase === phase), corpus.bytes);
      }
      row.ratio = row.snapsync.ok && row.rsync.ok && row.snapsync.seconds ? row.rsync.seconds / row.snapsync.seconds : null;
      const target = targetFor(corpus.name, phase);
      row.target = target?.text ?? null;
      row.targetMet = !target ? null
        : row.ratio === null ? false
          : target.strict ? row.ratio > target.ratio : row.ratio >= target.ratio;
      const ends = [row.snapsync.rssLocalMB, row.snapsync.rssRemoteMB].filter((v) => v !== null);
      row.rssMet = ends.length ? ends.every((v) => v < RSS_LIMIT_MB) : null;
      rows.push(row);
    }
  }
  return rows;
}

const f = (value, digits = 2) => (value === null || value === undefined ? '–' : value.toFixed(digits));
const rate = (value) => (value === null ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
const mb = (value) => (value === null ? '–' : value >= 10 ? value.toFixed(0) : value.toFixed(1));

function secondsCell(t) {
  if (!t.runs) return '–';
  if (!t.ok) return `**FAIL** (${t.runs - t.passed}/${t.runs})`;
  return t.runs > 1 ? `${f(t.seconds)} (${f(t.min)}–${f(t.max)})` : f(t.seconds);
}

function rssCell(t, limit) {
  const cell = (v) => (v === null ? '–' : limit && v >= RSS_LIMIT_MB ? `**${v.toFixed(0)}**` : v.toFixed(0));
  return `${cell(t.rssLocalMB)} / ${cell(t.rssRemoteMB)}`;
}

/** renderTable is the main Markdown table. */
export function renderTable(rows) {
  const lines = [
    '| corpus | phase | snapsync s | rsync s | rsync ÷ snapsync | target | snapsync MB/s | rsync MB/s | snapsync peak RSS MB (client / reactor) | rsync peak RSS MB (local / remote) | CPU s, client + far end (snapsync / rsync) | loopback MB: snapsync (its payload) / rsync | verified |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const verified = row.snapsync.ok && row.rsync.ok ? 'ok'
      : [row.snapsync.ok ? null : 'snapsync FAIL', row.rsync.ok ? null : 'rsync FAIL'].filter(Boolean).join(', ');
    const target = row.target === null ? '–' : `${row.target} ${row.targetMet ? 'met' : '**missed**'}`;
    lines.push(`| ${row.corpus} | ${row.label} | ${secondsCell(row.snapsync)} | ${secondsCell(row.rsync)} | `
      + `${row.ratio === null ? '–' : `${row.ratio.toFixed(2)}×`} | ${target} | ${rate(row.snapsync.mbPerS)} | ${rate(row.rsync.mbPerS)} | `
      + `${rssCell(row.snapsync, true)} | ${rssCell(row.rsync, false)} | ${cpuCell(row.snapsync)} / ${cpuCell(row.rsync)} | ${mb(row.snapsync.loopbackMB)}${row.snapsync.payloadMB === null ? '' : ` (${mb(row.snapsync.payloadMB)})`} / ${mb(row.rsync.loopbackMB)} | ${verified} |`);
  }
  return lines.join('\n');
}

/** renderTargets is the checklist of the issue's targets. */
export function renderTargets(rows) {
  const lines = [];
  for (const row of rows) {
    const target = targetFor(row.corpus, row.phase);
    if (target === null) continue;
    const taken = row.ratio === null ? 'no ratio (a run failed)' : `snapsync took ${(1 / row.ratio).toFixed(2)} × rsync's time`;
    lines.push(`- ${row.corpus} ${row.label}: snapsync ≤ ${target.most} × rsync: ${row.targetMet ? 'met' : '**missed**'} (${taken})`);
  }
  const clients = rows.map((r) => r.snapsync.rssLocalMB).filter((v) => v !== null);
  const reactors = rows.map((r) => r.snapsync.rssRemoteMB).filter((v) => v !== null);
  if (clients.length || reactors.length) {
    const worstClient = clients.length ? Math.max(...clients) : null;
    const worstReactor = reactors.length ? Math.max(...reactors) : null;
    const met = [worstClient, worstReactor].every((v) => v === null || v < RSS_LIMIT_MB);
    lines.push(`- peak RSS < ${RSS_LIMIT_MB} MB per end: ${met ? 'met' : '**missed**'} (client max ${mb(worstClient)} MB, reactor max ${mb(worstReactor)} MB)`);
  }
  return lines.join('\n');
}

/** renderFailures describes every failed run precisely: command, expected, actual. */
export function renderFailures(runs) {
  const failed = runs.filter((r) => !r.ok);
  if (!failed.length) return '';
  const out = ['', '## Failures', ''];
  for (const r of failed) {
    out.push(`### ${r.tool}, ${r.corpus}, ${r.phase}, repetition ${r.rep}`);
    out.push('');
    out.push(`- command: \`${r.command}\``);
    out.push(`- expected: exit 0 and the destination a mirror of the source (${r.expected})`);
    const actual = [];
    if (r.timedOut) actual.push(`killed after the ${r.timeoutS} s timeout`);
    if (r.code !== 0 || r.signal) actual.push(`exit ${r.code ?? '–'}${r.signal ? `, signal ${r.signal}` : ''}`);
    if (r.verify && !r.verify.ok) actual.push(`${r.verify.differenceCount} difference(s), first: ${r.verify.differences.join('; ')}`);
    out.push(`- actual: ${actual.join('; ') || 'see notes'}`);
    if (r.stderr?.trim()) {
      const lines = r.stderr.trim().split('\n').filter((l) => l.trim());
      const shown = lines.length <= 8 ? lines : [...lines.slice(0, 6), '…', ...lines.slice(-2)];
      out.push(`- stderr: \`${shown.join(' ⏎ ').replace(/`/g, "'").slice(0, 1500)}\``);
    }
    for (const note of r.notes ?? []) out.push(`- note: ${note}`);
    out.push('');
  }
  return out.join('\n');
}

/** renderRunNotes lists what runs noticed without failing (a leftover transfer file, a no-change run that sent files, ...). */
export function renderRunNotes(runs) {
  const noted = runs.filter((r) => r.ok && r.notes?.length);
  if (!noted.length) return '';
  return ['', '## Run notes', '', ...noted.map((r) => `- ${r.tool}, ${r.corpus}, ${r.phase}, repetition ${r.rep}: ${r.notes.join('; ')}`)].join('\n');
}

/** cpuCell shows CPU seconds per side (client + far end), so a change on one end shows where it lands. */
function cpuCell(stats) {
  return stats.cpuLocal === null && stats.cpuRemote === null ? f(stats.cpuSeconds) : `${f(stats.cpuLocal)} + ${f(stats.cpuRemote)}`;
}
