import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { CallbackUrls } from '../components/CallbackUrls';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';
import { GithubForm, OidcForm, PROVIDERS, type ProviderSettings, providerPath } from './ProviderForms';

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

/** A provider saved in Settings that is off (its secret was lost): why, and the way to turn it on again. */
function OffProvider({
  id,
  label,
  problem,
  secretLost,
  editing,
  onEdit,
  onRemove,
  children,
}: {
  id: string;
  label: string;
  problem: string;
  /** Off because its secret is gone (else because a saved value is wrong). */
  secretLost: boolean;
  editing: boolean;
  onEdit: () => void;
  onRemove: () => void;
  children: React.ReactNode;
}) {
  const t = useT();
  return (
    <div className="provider provider-off" data-provider={`${id}-off`}>
      <h3>
        {label} <span className="badge check-fail">{t('providerOff')}</span>
      </h3>
      <p className="field-error" role="alert">
        {problem}
      </p>
      {editing ? (
        children
      ) : (
        <div className="actions">
          <button type="button" className="secondary" onClick={onEdit}>
            {secretLost ? t('enterSecretAgain') : t('fixProvider')}
          </button>
          <button type="button" className="danger" onClick={onRemove}>
            {t('removeProvider', { name: label })}
          </button>
        </div>
      )}
    </div>
  );
}

type Editing = null | 'github' | 'oidc:new' | `oidc:${string}`;

/**
 * Each sign-in method with what to register at its provider (GET /hub/api/auth/settings), and the
 * forms that set them up or change them (GET /hub/ui/api/settings/providers); saved ones apply at once.
 */
export function SignInSettings({ onChanged }: { onChanged?: () => void }) {
  const t = useT();
  const [s, setS] = useState<AuthSettings | null>(null);
  const [forms, setForms] = useState<ProviderSettings | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(async () => {
    try {
      const [status, editable] = await Promise.all([
        api<AuthSettings>('/hub/api/auth/settings'),
        api<ProviderSettings>(PROVIDERS),
      ]);
      setS(status);
      setForms(editable);
    } catch (err) {
      setError(err as ApiError);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const done = (saved: boolean) => {
    setEditing(null);
    if (saved) {
      void load();
      onChanged?.();
    }
  };
  const remove = async (path: string, name: string) => {
    if (!confirm(t('confirmRemoveProvider', { name }))) return;
    setError(null);
    try {
      await api(path, { method: 'DELETE' });
      done(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const bases = forms?.callbackBases ?? [];
  const oidcOf = (id: string) => forms?.oidc.find((o) => `oidc-${o.id}` === id) ?? null;
  return (
    <section className="card" aria-labelledby="oauth-title">
      <h2 id="oauth-title">{t('signInProviders')}</h2>
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
      {forms?.problems.map((p) => (
        <p key={p} className="field-error provider-problem" role="alert">
          {p}
        </p>
      ))}
      {s && s.providers.length === 0 ? <p id="no-providers">{t('noProviders')}</p> : null}
      {s?.providers.map((p) => {
        const oidc = p.kind === 'oidc' ? oidcOf(p.id) : null;
        const editKey: Editing = p.kind === 'github' ? 'github' : oidc ? `oidc:${oidc.id}` : null;
        return (
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
            {editKey && forms && editing !== editKey ? (
              <div className="actions">
                <button type="button" className="secondary" onClick={() => setEditing(editKey)}>
                  {t('changeProvider', { name: p.label })}
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    void remove(providerPath(p.kind === 'github' ? undefined : (oidc?.id ?? '')), p.label)
                  }
                >
                  {t('removeProvider', { name: p.label })}
                </button>
              </div>
            ) : null}
            {editing === 'github' && p.kind === 'github' && forms ? (
              <GithubForm current={forms.github} bases={bases} onDone={done} />
            ) : null}
            {oidc && editing === `oidc:${oidc.id}` ? (
              <OidcForm current={oidc} bases={bases} onDone={done} />
            ) : null}
          </div>
        );
      })}
      {forms?.github?.off ? (
        <OffProvider
          id="github"
          label="GitHub"
          problem={forms.github.off}
          secretLost={!forms.github.secretSaved}
          editing={editing === 'github'}
          onEdit={() => setEditing('github')}
          onRemove={() => void remove(providerPath(), 'GitHub')}
        >
          <GithubForm current={forms.github} bases={bases} onDone={done} />
        </OffProvider>
      ) : null}
      {forms?.oidc
        .filter((o) => o.off)
        .map((o) => (
          <OffProvider
            key={o.id}
            id={`oidc-${o.id}`}
            label={o.displayName}
            problem={o.off ?? ''}
            secretLost={o.confidential && !o.secretSaved}
            editing={editing === `oidc:${o.id}`}
            onEdit={() => setEditing(`oidc:${o.id}`)}
            onRemove={() => void remove(providerPath(o.id), o.displayName)}
          >
            <OidcForm current={o} bases={bases} onDone={done} />
          </OffProvider>
        ))}
      {forms && editing === null ? (
        <div className="actions">
          {forms.github ? null : (
            <button type="button" className="secondary" id="add-github" onClick={() => setEditing('github')}>
              {t('githubSetUp')}
            </button>
          )}
          <button type="button" className="secondary" id="add-oidc" onClick={() => setEditing('oidc:new')}>
            {t('oidcAdd')}
          </button>
        </div>
      ) : null}
      {forms && editing === 'github' && !forms.github ? (
        <GithubForm current={null} bases={bases} onDone={done} />
      ) : null}
      {forms && editing === 'oidc:new' ? <OidcForm current={null} bases={bases} onDone={done} /> : null}
    </section>
  );
}
