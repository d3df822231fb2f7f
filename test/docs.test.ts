import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitStatusFor } from '@snapsync/initiator';
import type { ErrorCode } from '@snapsync/core';
import { repoRoot } from './helpers/paths.js';

// The error catalogue is written three times (schema, docs, exit statuses); these tests keep
// them from drifting apart.
describe('docs: error catalogue', () => {
  const proto = readFileSync(join(repoRoot, 'proto', 'snapsync', 'v1', 'snapsync.proto'), 'utf8');
  const enumBody = /enum ErrorCode \{([^}]*)\}/.exec(proto)?.[1] ?? '';
  const wireCodes = [...enumBody.matchAll(/^\s*([A-Z_]+) = \d+;/gm)].map((m) => m[1]!).filter((c) => c !== 'ERROR_CODE_UNSPECIFIED');
  const protocolDoc = readFileSync(join(repoRoot, 'docs', 'protocol.md'), 'utf8');
  const exitDoc = readFileSync(join(repoRoot, 'docs', 'exit-codes.md'), 'utf8');

  it('finds the wire error codes in the schema', () => {
    expect(wireCodes).to.include.members(['UNSUPPORTED_VERSION', 'AUTH_FAILED', 'SNAPSHOT_DB_MISSING']);
  });

  it('documents every wire error code in docs/protocol.md and nothing that is gone', () => {
    const documented = [...protocolDoc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).to.have.members(wireCodes);
  });

  it('gives every wire error code an exit status, listed in docs/exit-codes.md', () => {
    for (const code of wireCodes) {
      const status = exitStatusFor(code as ErrorCode);
      expect(status, code).to.be.a('number');
      const row = exitDoc.split('\n').find((line) => line.includes(`\`${code}\``));
      expect(row, `${code} missing from docs/exit-codes.md`).to.be.a('string');
      expect(row!.startsWith(`| ${status} |`), `${code} documented with another status`).to.equal(true);
    }
  });
});
