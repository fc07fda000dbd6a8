import { useEffect, useState } from 'react';
import { api, ApiError, type Me, setXsrf } from './api';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Problem } from './components/Problem';
import { type Lang, LANGS, useI18n, useT } from './i18n';
import { useLiveServers } from './live';
import { onLinkClick, usePath } from './router';
import { Home } from './screens/Home';
import { Logs } from './screens/Logs';
import { Servers } from './screens/Servers';
import { Settings } from './screens/Settings';
import { Tokens } from './screens/Tokens';
import { Users } from './screens/Users';

function NavLink({ href, label, path }: { href: string; label: string; path: string }) {
  const current = path === href || (href !== '/hub/home' && path.startsWith(href));
  return (
    <a href={href} onClick={onLinkClick} aria-current={current ? 'page' : undefined}>
      {label}
    </a>
  );
}

const decode = (s: string | undefined) => {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return s ?? '';
  }
};

function Screen({ me, path }: { me: Me; path: string }) {
  const t = useT();
  const { servers } = useLiveServers(me.servers);
  const parts = path.split('/').filter(Boolean);
  const admin = me.user.admin;
  const notAdmin = <Problem title={t('adminsOnly')} message={t('adminsOnlyMessage')} />;
  if (path === '/hub/token' || path === '/hub/tokens') return <Tokens me={me} />;
  if (path === '/hub/admin' || path === '/hub/admin/users')
    return admin ? <Users live={servers} localAccounts={me.localAccounts} /> : notAdmin;
  if (path === '/hub/admin/servers') return admin ? <Servers live={servers} /> : notAdmin;
  if (path === '/hub/settings') return admin ? <Settings /> : notAdmin;
  if (parts[1] === 'logs' && parts[2]) return <Logs user={decode(parts[2])} server={decode(parts[3])} />;
  if (parts[1] === 'spawn-pending' && parts[2])
    return <Home me={me} servers={servers} target={decode(parts[2])} />;
  return <Home me={me} servers={servers} />;
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const path = usePath();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    api<Me>('/hub/ui/api/me')
      .then((m) => {
        setXsrf(m.xsrf);
        setMe(m);
      })
      .catch((err: ApiError) => {
        if (err.status === 401) location.assign(`/hub/login?next=${encodeURIComponent(location.pathname)}`);
        else setError(err);
      });
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  return (
    <>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header className="top">
        <a className="brand" href="/hub/home" onClick={onLinkClick} aria-label={t('homeLink')}>
          <img src="/hub/logo" alt="" width="120" height="27" />
        </a>
        <nav aria-label={t('mainNav')}>
          <NavLink href="/hub/home" label={t('home')} path={path} />
          <NavLink href="/hub/token" label={t('tokens')} path={path} />
          {me?.user.admin ? (
            <>
              <NavLink href="/hub/admin/users" label={t('users')} path={path} />
              <NavLink href="/hub/admin/servers" label={t('servers')} path={path} />
              <NavLink href="/hub/settings" label={t('settings')} path={path} />
            </>
          ) : null}
        </nav>
        <div className="who">
          <label className="inline">
            <span className="sr-only">{t('language')}</span>
            <select
              id="language"
              value={lang}
              onChange={(e) => setLang(e.target.value as Lang)}
              aria-label={t('language')}
            >
              {LANGS.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          {me ? <span id="who-name">{me.user.name}</span> : null}
          <a href="/hub/logout" id="sign-out">
            {t('signOut')}
          </a>
        </div>
      </header>
      <main id="main">
        {error ? (
          <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} />
        ) : me ? (
          <>
            {me.onlyAdminsCanSignIn && path !== '/hub/settings' ? (
              <p className="card warning" role="status" id="only-admins">
                {t('onlyAdminsWarning')}{' '}
                <a href="/hub/settings" onClick={onLinkClick}>
                  {t('settings')}
                </a>
              </p>
            ) : null}
            <ErrorBoundary title={t('screenBroke')} reload={t('reload')} resetKey={path}>
              <Screen me={me} path={path} />
            </ErrorBoundary>
          </>
        ) : (
          <p className="muted">{t('loading')}</p>
        )}
      </main>
    </>
  );
}
