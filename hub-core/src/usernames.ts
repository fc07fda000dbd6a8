import { MAX_ESCAPED_NAME, escapeForDocker } from './spawner/names.js';

// Half of a UTF-16 pair: not text, cannot be put in a URL, so such a user could never be reached again.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a name cannot be a hub user name, or undefined when it can. Names become URL path segments
 * (`/user/<name>/`) and Docker names, so some are impossible whatever a provider says.
 */
export function usernameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'it is empty';
  if (name !== name.trim()) return 'it starts or ends with white space';
  if (name === '.' || name === '..') return 'it is "." or "..", which cannot be part of a URL path';
  if (name.includes('/')) return 'it contains "/"';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return 'it contains control characters';
  if (LONE_SURROGATE.test(name)) return 'it is not valid Unicode';
  if (escapeForDocker(name).length > MAX_ESCAPED_NAME) return 'it is too long';
  return undefined;
}

/**
 * Logins GitHub (and GitHub Enterprise, whose managed users look like `name_shortcode`) hands out:
 * letters, digits, '-', '_' and '.', starting with a letter or digit.
 */
export const GITHUB_LOGIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
