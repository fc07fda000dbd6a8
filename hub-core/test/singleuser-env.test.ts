import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { ServerManager, ServerManagerDeps, oauthClientId } from '../src/servers.js';

// What jupyterhub-singleuser reads at start (hub-protocol.md §1.2); 5.x exits without SERVICE_URL or
// a non-empty access-scope list, 3.x without a token or client id.
describe('the environment a single-user server gets', () => {
  const config = loadConfig({ env: {}, overrides: { docker: { memLimit: '1G', cpuLimit: 0.5 } } });
  const manager = new ServerManager({ config } as unknown as ServerManagerDeps);
  const env = manager.environment('a@b.org', '', 'tok123', 'http://172.17.0.1:8081/hub/api');

  it('carries what 3.x and 5.x require', () => {
    expect(env).toMatchObject({
      JUPYTERHUB_API_TOKEN: 'tok123',
      JPY_API_TOKEN: 'tok123',
      JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-a%40b.org',
      JUPYTERHUB_API_URL: 'http://172.17.0.1:8081/hub/api',
      JUPYTERHUB_ACTIVITY_URL: 'http://172.17.0.1:8081/hub/api/users/a%40b.org/activity',
      JUPYTERHUB_SERVICE_PREFIX: '/user/a@b.org/',
      JUPYTERHUB_SERVICE_URL: 'http://0.0.0.0:8888/user/a@b.org/',
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/user/a@b.org/oauth_callback',
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_USER: 'a@b.org',
      JUPYTERHUB_SERVER_NAME: '',
      MEM_LIMIT: '1G',
      CPU_LIMIT: '0.5',
    });
  });

  it('formats scope lists the way Python json.dumps does', () => {
    expect(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES).toBe(
      '["access:servers!server=a@b.org/", "access:servers!user=a@b.org"]',
    );
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_SCOPES ?? '')).toHaveLength(2);
    expect(env.JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES).toBe('[]');
  });

  it('names OAuth clients like JupyterHub', () => {
    expect(oauthClientId('alice')).toBe('jupyterhub-user-alice');
    expect(oauthClientId('alice', 'nb2')).toBe('jupyterhub-user-alice-nb2');
  });
});
