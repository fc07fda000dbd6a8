import { describe, expect, it } from 'vitest';
import { callbackFor } from '../src/auth/callback-url.js';

const DEFAULT = 'http://localhost:8000/hub/oauth_callback';

describe('callbackFor', () => {
  it('keeps the default for the owner’s loopback names and for a configured URL', () => {
    for (const host of ['localhost:8000', '127.0.0.1:8000', '[::1]:8000', 'LOCALHOST:8000', undefined])
      expect(callbackFor(DEFAULT, false, host)).toBe(DEFAULT);
    expect(callbackFor('https://hub.example.org/hub/oauth_callback', true, '192.168.1.20:8000')).toBe(
      'https://hub.example.org/hub/oauth_callback',
    );
  });

  it('uses the address a teammate reached the hub at', () => {
    expect(callbackFor(DEFAULT, false, '192.168.1.20:8000')).toBe(
      'http://192.168.1.20:8000/hub/oauth_callback',
    );
    expect(callbackFor(DEFAULT, false, 'studio.local:8000')).toBe(
      'http://studio.local:8000/hub/oauth_callback',
    );
    expect(callbackFor(DEFAULT, false, '[fe80::1]:8000')).toBe('http://[fe80::1]:8000/hub/oauth_callback');
  });

  it('ignores Host headers that are not a host name', () => {
    for (const host of ['evil.example/path', 'a b', 'x@y', '-bad-:80', 'host:99999999'])
      expect(callbackFor(DEFAULT, false, host)).toBe(DEFAULT);
  });
});
