import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, enc } from '../api';
import { CopyButton } from '../components/CopyButton';
import { Problem } from '../components/Problem';
import { useFormat, useT } from '../i18n';
import { useApiAction } from '../use-action';

interface Invite {
  url: string;
  expires_at: string;
}

/** Password accounts: a one-time invite link to copy, and the sign-ups waiting for approval. */
export function LocalAccounts({ onChanged }: { onChanged: () => void }) {
  const t = useT();
  const f = useFormat();
  const [invite, setInvite] = useState<Invite | null>(null);
  const [pending, setPending] = useState<{ name: string; created: string }[]>([]);
  const load = useCallback(async () => {
    setPending(await api<{ name: string; created: string }[]>('/hub/api/signups'));
  }, []);
  const { act, error } = useApiAction(load);
  useEffect(() => {
    void act(async () => undefined);
  }, [act]);
  const [inviteError, setInviteError] = useState<ApiError | null>(null);
  const makeInvite = async () => {
    setInviteError(null);
    try {
      setInvite(await api<Invite>('/hub/api/invites', { method: 'POST', json: {} }));
    } catch (err) {
      setInviteError(err as ApiError);
    }
  };
  const shown = inviteError ?? error;
  return (
    <section className="card" aria-labelledby="accounts-title">
      <h2 id="accounts-title">{t('passwordAccounts')}</h2>
      <div className="row">
        <button type="button" className="secondary" id="make-invite" onClick={makeInvite}>
          {t('makeInvite')}
        </button>
        {invite ? (
          <>
            <code id="invite-url" className="grow mono">
              {invite.url}
            </code>
            <CopyButton text={invite.url} label={t('copyInvite')} />
            <span className="muted">{t('inviteValidUntil', { when: f.date(invite.expires_at) })}</span>
          </>
        ) : null}
      </div>
      {pending.length ? (
        <>
          <h3>{t('waitingForApproval')}</h3>
          <ul className="checks" id="pending-signups">
            {pending.map((p) => (
              <li key={p.name} className="row spread">
                <span>
                  <strong>{p.name}</strong> <span className="muted">{f.relative(p.created)}</span>
                </span>
                <span className="actions">
                  <button
                    type="button"
                    className="small"
                    onClick={() =>
                      act(async () => {
                        await api(`/hub/api/signups/${enc(p.name)}`, { method: 'POST', json: {} });
                        onChanged();
                      })
                    }
                  >
                    {t('approve')}
                  </button>
                  <button
                    type="button"
                    className="danger small"
                    onClick={() => act(() => api(`/hub/api/signups/${enc(p.name)}`, { method: 'DELETE' }))}
                  >
                    {t('reject')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {shown ? <Problem title={t('thatDidNotWork')} message={shown.message} fix={shown.fix} /> : null}
    </section>
  );
}
