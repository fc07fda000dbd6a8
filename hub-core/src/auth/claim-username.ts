import { usernameProblem } from '../usernames.js';

export type ClaimName = { name: string } | { problem: string };

// Invisible and control characters (zero-width joiners, bidi overrides, …) let two different-looking
// names be the same, or one name look like another: such names are refused, never cleaned up silently.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

/**
 * The hub user name for a provider's claim value, by the documented rules (docs/configuration.md,
 * "How a provider's account becomes a hub user"): Unicode NFKC, trimmed, optionally without the
 * "@domain" part, lower-cased; names with white space, invisible characters, "/" or that cannot be
 * a URL segment or Docker name are refused with the reason.
 */
export function usernameFromClaim(value: unknown, o: { stripEmailDomain: boolean }): ClaimName {
  if (typeof value !== 'string') {
    return {
      problem: `it is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}, not text`,
    };
  }
  let name = value.normalize('NFKC').trim();
  if (o.stripEmailDomain && name.includes('@')) name = name.slice(0, name.lastIndexOf('@'));
  name = name.toLowerCase();
  if (INVISIBLE.test(name)) return { problem: 'it contains invisible or control characters' };
  if (/\s/u.test(name)) return { problem: 'it contains white space' };
  const problem = usernameProblem(name);
  return problem ? { problem } : { name };
}

/** A claim holding groups: a list of strings, or one string; anything else counts as no groups. */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}
