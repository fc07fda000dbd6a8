import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from '../src/ansi';
import { grantableScopes } from '../src/screens/Tokens';
import { splitNames } from '../src/screens/Users';
import type { Me } from '../src/api';

describe('ANSI colours in logs', () => {
  it('splits a line into coloured, bold segments and drops other escapes', () => {
    expect(parseAnsi('\x1b[1;31mERROR\x1b[0m plain \x1b[92mok\x1b[39m\x1b[2K')).toEqual([
      { text: 'ERROR', fg: 'red', bold: true },
      { text: ' plain ', fg: null, bold: false },
      { text: 'ok', fg: 'bright-green', bold: false },
    ]);
    expect(stripAnsi('\x1b[33mwarn\x1b[0m')).toBe('warn');
    expect(parseAnsi('no colour')).toEqual([{ text: 'no colour', fg: null, bold: false }]);
  });
});

describe('form helpers', () => {
  it('splits user lists on commas, semicolons, spaces and lines', () => {
    expect(splitNames(' ann, bob;cat\n\ndan  eve ')).toEqual(['ann', 'bob', 'cat', 'dan', 'eve']);
    expect(splitNames(' \n ')).toEqual([]);
  });

  it('offers as token scopes what the person holds, own-user filters shown unfiltered', () => {
    const me = {
      user: { name: 'ann', admin: false },
      scopes: [
        'read:users!user=ann',
        'servers!user=ann',
        'read:users!user=bob',
        'access:servers!server=ann/',
      ],
    } as unknown as Me;
    expect(grantableScopes(me)).toEqual(['read:users', 'servers']);
  });
});
