import { PROTOCOL_VERSION, SNAPSYNC_VERSION } from '@snapsync/protocol';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionRegistry, SessionStatus, Totals } from '../server/session-registry.js';

/** AdminMetrics is what /metrics serves: one registry per admin listener, so one process may run several reactors. */
export interface AdminMetrics {
  readonly register: Registry;
  /** adminLoginFailed counts a request refused for its token. */
  adminLoginFailed(): void;
}

/** FLOWS label files and bytes by the way they went, seen from the reactor. */
const FLOWS = ['received', 'sent'] as const;

/**
 * adminMetrics builds the reactor's metrics. What the SessionRegistry counts is read at each
 * scrape (collect), so the serving code counts in one place and the two can never disagree.
 */
export function adminMetrics(sessions: SessionRegistry): AdminMetrics {
  const register = new Registry();
  const registers = [register];
  /** total is a counter whose value is read from the registry's totals at each scrape. */
  const total = (name: string, help: string, read: (totals: Totals) => number): void => {
    new Counter({
      name, help, registers,
      collect() {
        this.reset();
        this.inc(read(sessions.totals));
      },
    });
  };
  total('snapsync_sessions_total', 'Sessions opened since the reactor started.', (totals) => totals.sessions);
  total('snapsync_sessions_failed_total', 'Sessions that ended failed (not those an admin stopped).', (totals) => totals.failed);
  total('snapsync_logins_failed_total', 'Session logins refused: wrong or unknown credentials, or throttled.', (totals) => totals.loginsFailed);
  const perFlow = (name: string, help: string, read: (flow: Totals['sent']) => number): void => {
    new Counter({
      name, help, registers, labelNames: ['direction'],
      collect() {
        this.reset();
        for (const direction of FLOWS) this.inc({ direction }, read(sessions.totals[direction]));
      },
    });
  };
  perFlow('snapsync_bytes_total', 'File bytes the reactor received (pushes) and sent (pulls).', (flow) => flow.bytes);
  perFlow('snapsync_files_total', 'Paths the reactor received (pushes) and sent (pulls).', (flow) => flow.files);
  new Counter({
    name: 'snapsync_errors_total', help: 'Failed paths (FILE_SYSTEM) and errors that ended sessions, by code.', registers, labelNames: ['code'],
    collect() {
      this.reset();
      for (const [code, count] of Object.entries(sessions.totals.errorsByCode)) this.inc({ code }, count);
    },
  });
  new Gauge({
    name: 'snapsync_sessions_running', help: 'Sessions open now.', registers,
    collect() {
      this.set(sessions.sessions().length);
    },
  });
  const perSession = (name: string, help: string, read: (status: SessionStatus) => number | undefined): void => {
    new Gauge({
      name, help, registers, labelNames: ['id', 'name', 'user'],
      collect() {
        // Only running sessions: an ended one's series goes with it.
        this.reset();
        for (const status of sessions.sessions()) {
          const value = read(status);
          if (value !== undefined) this.set({ id: status.id, name: status.name, user: status.user }, value);
        }
      },
    });
  };
  perSession('snapsync_session_last_sync_timestamp_seconds', 'When a running session last synced well (absent before its first).',
    (status) => (status.lastSyncAt === null ? undefined : status.lastSyncAt / 1000));
  perSession('snapsync_session_pending_paths', 'Changed paths a running session holds for its next cycle.', (status) => status.pending);
  new Gauge({ name: 'snapsync_build_info', help: 'The reactor\'s version and protocol.', registers, labelNames: ['version', 'protocol'] })
    .set({ version: SNAPSYNC_VERSION, protocol: String(PROTOCOL_VERSION) }, 1);
  const adminLogins = new Counter({ name: 'snapsync_admin_logins_failed_total', help: 'Admin requests refused for their token.', registers });
  collectDefaultMetrics({ register });
  return { register, adminLoginFailed: () => adminLogins.inc() };
}
