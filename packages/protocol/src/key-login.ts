/**
 * keyLoginTranscript is what an Ed25519 key login signs: a fixed label, the user name and
 * the reactor's fresh challenge, so a signature is good for one user on one connection.
 */
export function keyLoginTranscript(user: string, challenge: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from('snapsync key login v1\0', 'utf8'), Buffer.from(`${user}\0`, 'utf8'), challenge]);
}
