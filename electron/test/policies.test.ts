import { describe, expect, it } from 'vitest';
import {
  decideNavigation,
  decidePermission,
  decideWindowOpen,
  isExternalOpenable,
  isTrustedSender,
  webPolicyFor,
} from '../src/policies.js';
import { lanUrlFor, windowUrlFor } from '../src/urls.js';

const policy = webPolicyFor('http://127.0.0.1:8000/hub/', { github: { url: 'https://github.com' } });

describe('navigation', () => {
  it('keeps the hub in the window, on 127.0.0.1 and on localhost (the OAuth callback host)', () => {
    expect(decideNavigation('http://127.0.0.1:8000/hub/home', policy)).toBe('allow');
    expect(decideNavigation('http://localhost:8000/hub/oauth_callback?code=x&state=y', policy)).toBe('allow');
    expect(decideNavigation('http://127.0.0.1:8000/user/ada/lab', policy)).toBe('allow');
  });

  it('sends other ports, hosts and schemes away: web pages to the browser, the rest nowhere', () => {
    expect(decideNavigation('http://127.0.0.1:8001/', policy)).toBe('open-externally');
    expect(decideNavigation('https://jupyter.org/', policy)).toBe('open-externally');
    expect(decideNavigation('https://127.0.0.1:8000/hub/', policy)).toBe('open-externally');
    expect(decideNavigation('file:///etc/passwd', policy)).toBe('deny');
    expect(decideNavigation('javascript:alert(1)', policy)).toBe('deny');
    expect(decideNavigation('teamhub://x', policy)).toBe('deny');
    expect(decideNavigation('not a url', policy)).toBe('deny');
  });

  it('lets only the sign-in pages of the configured provider into the window', () => {
    expect(decideNavigation('https://github.com/login/oauth/authorize?client_id=abc', policy)).toBe('allow');
    expect(decideNavigation('https://github.com/login', policy)).toBe('allow');
    expect(decideNavigation('https://github.com/sessions/two-factor/app', policy)).toBe('allow');
    expect(decideNavigation('https://github.com/session', policy)).toBe('allow');
    // Not sign-in: the rest of GitHub opens in the browser.
    expect(decideNavigation('https://github.com/jupyterhub/jupyterhub', policy)).toBe('open-externally');
    expect(decideNavigation('https://github.com/loginx', policy)).toBe('open-externally');
    // Look-alikes and downgrades are not the provider.
    expect(decideNavigation('http://github.com/login', policy)).toBe('open-externally');
    expect(decideNavigation('https://github.com.evil.example/login', policy)).toBe('open-externally');
    expect(decideNavigation('https://user:pw@github.com/login', policy)).toBe('deny');
  });

  it('allows no provider page when GitHub sign-in is not set up', () => {
    const bare = webPolicyFor('http://127.0.0.1:8000/hub/');
    expect(decideNavigation('https://github.com/login/oauth/authorize', bare)).toBe('open-externally');
  });

  it('follows a GitHub Enterprise address', () => {
    const ghe = webPolicyFor('http://127.0.0.1:8000/hub/', { github: { url: 'https://github.example.com' } });
    expect(decideNavigation('https://github.example.com/login/oauth/authorize', ghe)).toBe('allow');
    expect(decideNavigation('https://github.com/login/oauth/authorize', ghe)).toBe('open-externally');
  });

  it("lets an OpenID provider's own origin into the window, nothing else of it", () => {
    const oidc = webPolicyFor('http://127.0.0.1:8000/hub/', {
      oidc: [{ issuer: 'https://sso.example.org/realms/team' }],
    });
    expect(
      decideNavigation('https://sso.example.org/realms/team/protocol/openid-connect/auth?x=1', oidc),
    ).toBe('allow');
    expect(decideNavigation('https://sso.example.org/login-actions/authenticate', oidc)).toBe('allow');
    expect(decideNavigation('http://sso.example.org/realms/team', oidc)).toBe('open-externally');
    expect(decideNavigation('https://example.org/', oidc)).toBe('open-externally');
    expect(decideNavigation('https://github.com/login', oidc)).toBe('open-externally');
  });

  it('a hub on a LAN address is its own origin, without loopback aliases', () => {
    const lan = webPolicyFor('http://192.168.1.20:8000/hub/');
    expect(lan.hubOrigins).toEqual(['http://192.168.1.20:8000']);
  });
});

describe('window.open', () => {
  it('never makes a window: web links go to the system browser, other schemes nowhere', () => {
    expect(decideWindowOpen('https://jupyter.org/')).toBe('open-externally');
    expect(decideWindowOpen('http://127.0.0.1:8000/hub/')).toBe('open-externally');
    expect(decideWindowOpen('file:///tmp/x')).toBe('deny');
    expect(decideWindowOpen('about:blank')).toBe('deny');
    expect(decideWindowOpen('smb://server/share')).toBe('deny');
  });

  it('hands the system browser only plain http(s) URLs', () => {
    expect(isExternalOpenable('https://example.org/a?b=c')).toBe(true);
    expect(isExternalOpenable('https://a:b@example.org/')).toBe(false);
    expect(isExternalOpenable('mailto:a@example.org')).toBe(false);
    expect(isExternalOpenable('')).toBe(false);
  });
});

describe('permissions', () => {
  it('denies by default, and allows clipboard writes and full screen to the hub only', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'midi', 'openExternal', 'clipboard-read'])
      expect(decidePermission(p, 'http://127.0.0.1:8000/hub/', policy), p).toBe(false);
    expect(decidePermission('clipboard-sanitized-write', 'http://127.0.0.1:8000/hub/', policy)).toBe(true);
    expect(decidePermission('fullscreen', 'http://localhost:8000/user/ada/', policy)).toBe(true);
    expect(decidePermission('clipboard-sanitized-write', 'https://github.com/login', policy)).toBe(false);
    expect(decidePermission('fullscreen', '', policy)).toBe(false);
  });
});

describe('IPC senders', () => {
  it('trusts only the top frame of a hub page', () => {
    expect(isTrustedSender({ url: 'http://127.0.0.1:8000/hub/', parent: null }, policy)).toBe(true);
    expect(isTrustedSender({ url: 'http://127.0.0.1:8000/hub/', parent: {} }, policy)).toBe(false);
    expect(isTrustedSender({ url: 'https://github.com/login', parent: null }, policy)).toBe(false);
    expect(isTrustedSender({ url: 'data:text/html,x', parent: null }, policy)).toBe(false);
    expect(isTrustedSender(null, policy)).toBe(false);
  });
});

describe('addresses', () => {
  const nics = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '192.168.1.20', family: 'IPv4', internal: false },
    ],
  } as unknown as Parameters<typeof lanUrlFor>[1];

  it('opens a hub listening everywhere on loopback', () => {
    expect(windowUrlFor('http://0.0.0.0:8000/hub/')).toBe('http://127.0.0.1:8000/hub/');
    expect(windowUrlFor('http://127.0.0.1:8000/hub/')).toBe('http://127.0.0.1:8000/hub/');
  });

  it('has no LAN URL on loopback, the first LAN IPv4 address when listening everywhere', () => {
    expect(lanUrlFor('http://127.0.0.1:8000/hub/', nics)).toBeNull();
    expect(lanUrlFor('http://0.0.0.0:8000/hub/', nics)).toBe('http://192.168.1.20:8000/hub/');
    expect(lanUrlFor('http://10.0.0.5:8000/hub/', nics)).toBe('http://10.0.0.5:8000/hub/');
    expect(lanUrlFor('http://0.0.0.0:8000/hub/', { lo: nics.lo })).toBeNull();
  });
});
