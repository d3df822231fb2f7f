/**
 * XattrGuard says why a receiving side leaves one attribute name alone (neither set nor
 * removed), or undefined to carry it.
 */
export type XattrGuard = (name: string) => string | undefined;

/** PRIVILEGED are the name spaces whose attributes the kernel trusts: a side sets them only where it may set owners. */
const PRIVILEGED = ['security.', 'trusted.'];

/**
 * xattrGuard is a receiving side's rule: file capabilities (`security.capability`) never land,
 * as setuid and setgid bits never do (a pushed binary with cap_setuid would be root for its
 * runner); and a reactor that does not let its user set owners (ownersRefused) sets no other
 * `security.*` or `trusted.*` name either: an SELinux label or a trusted name is the system's
 * to give, as an owner is.
 */
export function xattrGuard(ownersRefused: string | undefined): XattrGuard {
  return (name) => {
    if (name === 'security.capability') return 'file capabilities are never applied, as setuid bits are not';
    if (ownersRefused !== undefined && PRIVILEGED.some((prefix) => name.startsWith(prefix))) return ownersRefused;
    return undefined;
  };
}
