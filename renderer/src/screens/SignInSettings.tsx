import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { CopyButton } from '../components/CopyButton';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';

interface Provider {
  id: string;
  kind: 'github' | 'oidc' | 'local';
  label: string;
  callbackUrls?: string[];
  scopes?: string[];
  deviceFlow?: boolean;
  issuer?: string;
  discovery?: { ok: boolean; message?: string };
  signup?: 'off' | 'approval';
  pendingSignups?: number;
}

interface AuthSettings {
  providers: Provider[];
  teammateAddresses: string[];
}

interface LoginCheck {
  name: string;
  ok: boolean;
  message: string;
  fix?: string;
}

function LoginCheckButton() {
  const t = useT();
  const [checks, setChecks] = useState<LoginCheck[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setChecks(
        (
          await api<{ checks: LoginCheck[] }>('/hub/ui/api/settings/check-login', {
            method: 'POST',
            json: {},
          })
        ).checks,
      );
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <button type="button" className="secondary" id="check-login" onClick={run} disabled={busy}>
        {busy ? t('checking') : t('checkSignIn')}
      </button>
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
      {checks ? (
        <ul className="checks" id="login-checks">
          {checks.map((c) => (
            <li key={c.name}>
              <span className={`badge ${c.ok ? 'check-ok' : 'check-fail'}`}>
                {c.ok ? t('check_ok') : t('check_fail')}
              </span>{' '}
              {c.message}
              {c.fix ? <div className="muted">{c.fix}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function CallbackUrls({ urls }: { urls: string[] }) {
  const t = useT();
  return (
    <>
      <p>{t('registerCallbacks')}</p>
      {urls.map((u) => (
        <div className="row" key={u}>
          <code className="grow mono callback-url">{u}</code>
          <CopyButton text={u} label={t('copyCallback')} />
        </div>
      ))}
    </>
  );
}

/** Each sign-in method with what to register at its provider, from GET /hub/api/auth/settings. */
export function SignInSettings() {
  const t = useT();
  const [s, setS] = useState<AuthSettings | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    api<AuthSettings>('/hub/api/auth/settings')
      .then(setS)
      .catch((err: ApiError) => setError(err));
  }, []);
  return (
    <section className="card" aria-labelledby="oauth-title">
      <h2 id="oauth-title">{t('signInProviders')}</h2>
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
      {s && s.providers.length === 0 ? <p id="no-providers">{t('noProviders')}</p> : null}
      {s?.providers.map((p) => (
        <div key={p.id} className="provider" data-provider={p.id}>
          <h3>{p.kind === 'local' ? t('passwordAccounts') : p.label}</h3>
          {p.kind === 'oidc' ? (
            <p>
              {t('issuer')} <code>{p.issuer}</code>{' '}
              <span className={`badge ${p.discovery?.ok ? 'check-ok' : 'check-fail'}`}>
                {p.discovery?.ok ? t('discoveryOk') : t('discoveryFailed')}
              </span>
              {p.discovery?.message ? <span className="muted"> {p.discovery.message}</span> : null}
            </p>
          ) : null}
          {p.callbackUrls ? <CallbackUrls urls={p.callbackUrls} /> : null}
          {p.scopes ? (
            <p className="muted">{t('scopesRequested', { scopes: p.scopes.join(', ') || '—' })}</p>
          ) : null}
          {p.kind === 'github' && p.deviceFlow ? <p className="muted">{t('deviceFlowOn')}</p> : null}
          {p.kind === 'github' ? <LoginCheckButton /> : null}
          {p.kind === 'local' ? (
            <p className="muted">
              {p.signup === 'approval' ? t('signupApproval', { n: p.pendingSignups ?? 0 }) : t('signupOff')}
            </p>
          ) : null}
        </div>
      ))}
    </section>
  );
}
