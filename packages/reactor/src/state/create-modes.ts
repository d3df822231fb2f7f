import type { CreateModes } from '@snapsync/core';

/**
 * MODE_KEYS are the config keys of the modes a reactor gives what it makes in users' trees, each
 * with the bits it must keep for the owner: the reactor itself reads every file it lands (later
 * scans, pulls), and lists, enters and writes every directory it makes.
 */
const MODE_KEYS = {
  fileMode: { kind: 'file', owner: 0o400, needs: 'read (0400): the reactor reads the files it lands' },
  directoryMode: { kind: 'directory', owner: 0o700, needs: 'rwx (0700): the reactor lists, enters and writes the directories it makes' },
} as const;

export const CREATE_MODE_KEYS = Object.keys(MODE_KEYS);

/**
 * readCreateModes reads "fileMode" and "directoryMode": octal strings from "0000" to "0777"
 * ("0640", or "640"). No setuid, setgid or sticky bit: the reactor's own group (the unit's
 * Group=) groups what it makes; files are made in the transfer cache and renamed into place, so
 * setgid directories would not group them reliably.
 * Undefined when neither is set. bad throws the one-line config error.
 */
export function readCreateModes(config: Readonly<Record<string, unknown>>, bad: (what: string) => never): CreateModes | undefined {
  let modes: { file?: number; directory?: number } | undefined;
  for (const [key, rule] of Object.entries(MODE_KEYS)) {
    const value = config[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^0?[0-7]{3}$/.test(value)) {
      bad(`"${key}" must be an octal mode from "0000" to "0777" written as a string, such as "${key === 'fileMode' ? '0640' : '0750'}"`);
    }
    const mode = parseInt(value as string, 8);
    if ((mode & rule.owner) !== rule.owner) bad(`"${key}" ${value as string} must give the owner ${rule.needs}`);
    if (process.platform === 'win32') bad(`"${key}" is for POSIX reactors: Windows keeps only a read-only attribute`);
    modes = { ...modes, [rule.kind]: mode };
  }
  return modes;
}
