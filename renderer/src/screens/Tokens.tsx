import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, enc, type Me, type TokenModel } from '../api';
import { CopyButton } from '../components/CopyButton';
import { Problem } from '../components/Problem';
import { useFormat, useT } from '../i18n';

const EXPIRY: { key: string; seconds: number | null }[] = [
  { key: 'expiresNever', seconds: null },
  { key: 'expires1d', seconds: 86_400 },
  { key: 'expires7d', seconds: 7 * 86_400 },
  { key: 'expires30d', seconds: 30 * 86_400 },
  { key: 'expires1y', seconds: 365 * 86_400 },
];

/** Scopes a person may put on a token: the unfiltered ones they hold, plus their own-user filters. */
export function grantableScopes(me: Me): string[] {
  const own = `!user=${me.user.name}`;
  const names = new Set<string>();
  for (const s of me.scopes) {
    if (!s.includes('!')) names.add(s);
    else if (s.endsWith(own)) names.add(s.slice(0, -own.length));
  }
  return [...names].sort();
}

function CreateToken({ me, onCreated }: { me: Me; onCreated: () => void }) {
  const t = useT();
  const [note, setNote] = useState('');
  const [expiry, setExpiry] = useState(0);
  const [scopes, setScopes] = useState<string[]>([]);
  const [created, setCreated] = useState<TokenModel | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const grantable = grantableScopes(me);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const seconds = EXPIRY[expiry]?.seconds ?? null;
    try {
      const tok = await api<TokenModel>(`/hub/api/users/${enc(me.user.name)}/tokens`, {
        method: 'POST',
        json: { note, ...(seconds ? { expires_in: seconds } : {}), ...(scopes.length ? { scopes } : {}) },
      });
      setCreated(tok);
      setNote('');
      setScopes([]);
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const curl = created?.token
    ? `curl -H "Authorization: token ${created.token}" ${location.origin}/hub/api/user`
    : '';
  return (
    <section className="card" aria-labelledby="new-token-title">
      <h2 id="new-token-title">{t('newToken')}</h2>
      <form onSubmit={submit}>
        <div className="row">
          <label className="grow">
            {t('note')}
            <input id="token-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} />
          </label>
          <label>
            {t('expires')}
            <select id="token-expiry" value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
              {EXPIRY.map((x, i) => (
                <option key={x.key} value={i}>
                  {t(x.key)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <details>
          <summary>{t('limitScopes', { n: scopes.length })}</summary>
          <p className="muted">{t('scopesHelp')}</p>
          <div className="scope-grid">
            {grantable.map((s) => (
              <label key={s} className="inline mono">
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) =>
                    setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))
                  }
                />
                {s}
              </label>
            ))}
          </div>
        </details>
        <button type="submit" id="create-token">
          {t('createToken')}
        </button>
      </form>
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
      {created?.token ? (
        <div className="card new-token" role="status">
          <p>
            <strong>{t('tokenShownOnce')}</strong>
          </p>
          <div className="row">
            <code id="new-token-value" className="grow mono">
              {created.token}
            </code>
            <CopyButton id="copy-token" text={created.token} label={t('copyToken')} />
          </div>
          <p className="muted">{t('tryIt')}</p>
          <div className="row">
            <pre id="curl-example" className="grow">
              {curl}
            </pre>
            <CopyButton text={curl} label={t('copyCurl')} />
          </div>
        </div>
      ) : null}
    </section>
  );
}

export function Tokens({ me }: { me: Me }) {
  const t = useT();
  const f = useFormat();
  const [everyone, setEveryone] = useState(false);
  const [tokens, setTokens] = useState<TokenModel[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(async () => {
    try {
      const url = everyone ? '/hub/ui/api/tokens' : `/hub/ui/api/tokens?user=${enc(me.user.name)}`;
      setTokens((await api<{ api_tokens: TokenModel[] }>(url)).api_tokens);
      setError(null);
    } catch (err) {
      setError(err as ApiError);
    }
  }, [everyone, me.user.name]);
  useEffect(() => {
    void load();
  }, [load]);
  const revoke = async (tok: TokenModel) => {
    try {
      await api(`/hub/api/users/${enc(tok.user ?? me.user.name)}/tokens/${enc(tok.id)}`, {
        method: 'DELETE',
      });
    } catch (err) {
      setError(err as ApiError);
    }
    await load();
  };
  return (
    <>
      <h1>{t('tokens')}</h1>
      <CreateToken me={me} onCreated={load} />
      <section className="card" aria-labelledby="token-list-title">
        <div className="row spread">
          <h2 id="token-list-title">{everyone ? t('everyonesTokens') : t('yourTokens')}</h2>
          {me.user.admin ? (
            <label className="inline">
              <input
                type="checkbox"
                id="all-tokens"
                checked={everyone}
                onChange={(e) => setEveryone(e.target.checked)}
              />
              {t('showEveryone')}
            </label>
          ) : null}
        </div>
        {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
        <div className="table-wrap">
          <table id="tokens-table">
            <thead>
              <tr>
                {everyone ? <th scope="col">{t('owner')}</th> : null}
                <th scope="col">{t('note')}</th>
                <th scope="col">{t('scopes')}</th>
                <th scope="col">{t('created')}</th>
                <th scope="col">{t('lastUsed')}</th>
                <th scope="col">{t('expires')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => (
                <tr key={`${tok.user}/${tok.id}`} data-token={tok.id}>
                  {everyone ? <td>{tok.user}</td> : null}
                  <td>{tok.note || <span className="muted">{t('noNote')}</span>}</td>
                  <td className="mono scopes">{tok.scopes.join(' ')}</td>
                  <td>{f.date(tok.created)}</td>
                  <td>{tok.last_activity ? f.relative(tok.last_activity) : t('never')}</td>
                  <td>{tok.expires_at ? f.date(tok.expires_at) : t('expiresNever')}</td>
                  <td>
                    <button
                      type="button"
                      className="danger small"
                      aria-label={t('revokeNamed', { note: tok.note || tok.id })}
                      onClick={() => revoke(tok)}
                    >
                      {t('revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {tokens.length === 0 ? <p className="muted">{t('noTokens')}</p> : null}
      </section>
    </>
  );
}
