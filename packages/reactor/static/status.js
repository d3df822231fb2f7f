// The reactor's status page. Everything it shows comes from the admin API, read with the token
// the operator gives once (kept for this browser tab only). Values from the API are user-named
// (session names, paths), so they are only ever set as text, never as markup.
const TOKEN_KEY = 'snapsync-admin-token';
const REFRESH_MS = 1000;

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(TOKEN_KEY);
let selected = null;
/** lastBytes remembers each session's byte count at the previous refresh, for its rate. */
let lastBytes = new Map();
let lastAt = 0;

class Refused extends Error {}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (response.status === 401) throw new Refused();
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`);
  return body;
}

function askToken(why) {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('status').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = why;
  $('token').focus();
}

function bytes(count) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

function fill(tbody, items, render) {
  tbody.replaceChildren(...items.map((item) => {
    const row = document.createElement('tr');
    render(row, item);
    return row;
  }));
}

function showSessions(sessions, seconds) {
  const rates = new Map(sessions.map((s) => {
    const before = lastBytes.get(s.id);
    return [s.id, before === undefined || seconds <= 0 ? 0 : Math.max(0, s.bytes - before) / seconds];
  }));
  lastBytes = new Map(sessions.map((s) => [s.id, s.bytes]));
  fill($('sessions').tBodies[0], sessions, (row, s) => {
    row.dataset.id = s.id;
    row.addEventListener('click', () => {
      selected = s.id;
      void refresh();
    });
    cell(row, s.name);
    cell(row, s.user);
    cell(row, s.dir, 'dir');
    cell(row, s.direction);
    cell(row, s.state, `state state-${s.state}`);
    cell(row, time(s.started));
    cell(row, s.files, 'number files');
    cell(row, bytes(s.bytes), 'number bytes');
    cell(row, `${bytes(Math.round(rates.get(s.id)))}/s`, 'number');
    cell(row, s.errors, 'number errors');
    cell(row, s.conflicts, 'number conflicts');
    cell(row, s.peerVersion ? `${s.peer} (${s.peerVersion})` : s.peer);
  });
  $('no-sessions').hidden = sessions.length > 0;
  const running = sessions.filter((s) => s.state === 'syncing' || s.state === 'watching');
  $('running').textContent = String(running.length);
  $('throughput').textContent = `${bytes(Math.round(running.reduce((sum, s) => sum + rates.get(s.id), 0)))}/s`;
  $('errors').textContent = String(sessions.reduce((sum, s) => sum + s.errors, 0));
  $('conflicts').textContent = String(sessions.reduce((sum, s) => sum + s.conflicts, 0));
}

function showDetail(session) {
  $('detail').hidden = session === null;
  if (session === null) return;
  $('detail-name').textContent = `${session.name} (${session.user}, ${session.state})`;
  const line = (text) => {
    const li = document.createElement('li');
    li.textContent = text;
    return li;
  };
  const problems = session.problems ?? [];
  const conflicts = session.conflicts ?? [];
  $('problems').replaceChildren(...(problems.length > 0
    ? problems.map((p) => line(`${p.path}: ${p.code} ${p.message}`)) : [line('none')]));
  $('conflict-list').replaceChildren(...(Array.isArray(conflicts) && conflicts.length > 0
    ? conflicts.map((c) => line(c.message ? `${c.path}: ${c.message}` : c.path)) : [line('none')]));
}

function showUsers(users) {
  fill($('users').tBodies[0], users, (row, u) => {
    cell(row, u.name);
    cell(row, u.docroot);
    cell(row, u.access);
    cell(row, u.enabled ? 'yes' : 'no');
    cell(row, u.keys.length, 'number');
    cell(row, u.rateLimit === null ? 'none' : `${u.rateLimit / 1e6} Mbit/s`);
  });
}

async function refresh() {
  if (token === null) return;
  try {
    const [health, sessions, users] = await Promise.all([
      fetch('/healthz', { cache: 'no-store' }).then((r) => r.json()), api('/v1/sessions'), api('/v1/users'),
    ]);
    const now = performance.now();
    showSessions(sessions, lastAt === 0 ? 0 : (now - lastAt) / 1000);
    lastAt = now;
    showUsers(users);
    const known = selected !== null && sessions.some((s) => s.id === selected);
    showDetail(known ? await api(`/v1/sessions/${encodeURIComponent(selected)}`) : null);
    $('reactor').textContent = `${health.status}, version ${health.version}, updated ${new Date().toLocaleTimeString()}`;
    $('login').hidden = true;
    $('status').hidden = false;
  } catch (err) {
    if (err instanceof Refused) askToken('The reactor refused this token.');
    else $('reactor').textContent = `cannot reach the reactor: ${err.message}`;
  }
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  token = $('token').value.trim();
  $('token').value = '';
  sessionStorage.setItem(TOKEN_KEY, token);
  void refresh();
});
$('forget').addEventListener('click', (event) => {
  event.preventDefault();
  askToken('');
});

if (token === null) askToken('');
else void refresh();
setInterval(() => void refresh(), REFRESH_MS);
