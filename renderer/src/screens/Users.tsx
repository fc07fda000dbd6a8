import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, enc, type ServerSummary, type UserModel } from '../api';
import { Problem } from '../components/Problem';
import { useFormat, useT } from '../i18n';
import { useApiAction } from '../use-action';
import { LocalAccounts } from './Accounts';

const PAGE = 50;
type Sort = 'name' | '-last_activity' | 'id';

interface PageOf<T> {
  items: T[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number } | null };
}

async function fetchUsers(filter: string, sort: Sort, offset: number): Promise<PageOf<UserModel>> {
  const q = new URLSearchParams({
    sort,
    offset: String(offset),
    limit: String(PAGE),
    include_stopped_servers: '1',
  });
  if (filter) q.set('name_filter', filter);
  return api<PageOf<UserModel>>(`/hub/api/users?${q}`, {
    headers: { accept: 'application/jupyterhub-pagination+json' },
  });
}

/** Splits "ann, bob\ncat" into names; the hub validates each and says which one it refused. */
export const splitNames = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function AddUsers({ onAdded }: { onAdded: () => void }) {
  const t = useT();
  const [names, setNames] = useState('');
  const [admin, setAdmin] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone('');
    const usernames = splitNames(names);
    try {
      await api('/hub/api/users', { method: 'POST', json: { usernames, admin } });
      setDone(t('usersAdded', { n: usernames.length }));
      setNames('');
      onAdded();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-users-title">
      <h2 id="add-users-title">{t('addUsers')}</h2>
      <label>
        {t('addUsersHelp')}
        <textarea
          id="add-usernames"
          rows={2}
          value={names}
          onChange={(e) => setNames(e.target.value)}
          required
        />
      </label>
      <div className="row">
        <label className="inline">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} />
          {t('asAdmins')}
        </label>
        <button type="submit" id="add-users-submit">
          {t('add')}
        </button>
        <span className="muted" aria-live="polite">
          {done}
        </span>
      </div>
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
    </form>
  );
}

export function Users({ live, localAccounts }: { live: ServerSummary[]; localAccounts: boolean }) {
  const t = useT();
  const f = useFormat();
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('name');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<PageOf<UserModel> | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async () => {
    try {
      setPage(await fetchUsers(filter.trim(), sort, offset));
      setError(null);
    } catch (err) {
      setError(err as ApiError);
    }
  }, [filter, sort, offset]);

  useEffect(() => {
    // Filtering happens in the hub, over all users; a short pause avoids a request per keystroke.
    const timer = setTimeout(load, 200);
    return () => clearTimeout(timer);
  }, [load]);

  const { act, error: actError } = useApiAction(load);
  const shownError = actError ?? error;
  const statusOf = (u: UserModel) =>
    live.find((s) => s.user === u.name && s.name === '')?.status ?? 'stopped';
  const total = page?._pagination.total ?? 0;

  return (
    <>
      <h1>{t('users')}</h1>
      <AddUsers onAdded={load} />
      {localAccounts ? <LocalAccounts onChanged={load} /> : null}
      <section className="card">
        <div className="row">
          <label className="grow">
            {t('searchUsers')}
            <input
              type="search"
              id="user-search"
              value={filter}
              onChange={(e) => {
                setFilter(e.target.value);
                setOffset(0);
              }}
            />
          </label>
          <label>
            {t('sortBy')}
            <select id="user-sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
              <option value="name">{t('sortName')}</option>
              <option value="-last_activity">{t('sortActivity')}</option>
              <option value="id">{t('sortCreated')}</option>
            </select>
          </label>
        </div>
        <p className="muted" aria-live="polite" id="users-note">
          {note}
        </p>
        {shownError ? (
          <Problem title={t('thatDidNotWork')} message={shownError.message} fix={shownError.fix} />
        ) : null}
        <div className="table-wrap">
          <table id="users-table">
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('role')}</th>
                <th scope="col">{t('groups')}</th>
                <th scope="col">{t('server')}</th>
                <th scope="col">{t('lastActivity')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {page?.items.map((u) => {
                const status = statusOf(u);
                const path = `/hub/api/users/${enc(u.name)}`;
                return (
                  <tr key={u.name} data-user={u.name}>
                    <th scope="row">{u.name}</th>
                    <td>{u.admin ? <span className="badge admin">{t('admin')}</span> : t('user')}</td>
                    <td>{u.groups.join(', ')}</td>
                    <td>
                      <span className={`badge status-${status}`}>{t(`status_${status}`)}</span>
                    </td>
                    <td>{u.last_activity ? f.relative(u.last_activity) : t('never')}</td>
                    <td>
                      <div className="actions">
                        {status === 'running' ? (
                          <>
                            <a className="button small" href={`/user/${enc(u.name)}/`}>
                              {t('open')}
                            </a>
                            <button
                              type="button"
                              className="secondary small"
                              onClick={() => act(() => api(`${path}/server`, { method: 'DELETE' }))}
                            >
                              {t('stop')}
                            </button>
                          </>
                        ) : status === 'stopped' || status === 'failed' ? (
                          <button
                            type="button"
                            className="small"
                            onClick={() => act(() => api(`${path}/server`, { method: 'POST', json: {} }))}
                          >
                            {t('startShort')}
                          </button>
                        ) : null}
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => act(() => api(path, { method: 'PATCH', json: { admin: !u.admin } }))}
                        >
                          {u.admin ? t('removeAdmin') : t('makeAdmin')}
                        </button>
                        <details className="more">
                          <summary aria-label={t('moreActionsFor', { name: u.name })}>{t('more')}</summary>
                          <div className="more-menu">
                            <button
                              type="button"
                              className="secondary small"
                              onClick={() =>
                                act(async () => {
                                  await api(`${path}/sessions`, { method: 'DELETE' });
                                  setNote(t('signedOutEverywhere', { name: u.name }));
                                })
                              }
                            >
                              {t('signOutEverywhere')}
                            </button>
                            {localAccounts ? (
                              <button
                                type="button"
                                className="secondary small"
                                onClick={() => {
                                  const password = prompt(t('newPasswordFor', { name: u.name }));
                                  if (password)
                                    void act(async () => {
                                      await api(`${path}/password`, { method: 'PUT', json: { password } });
                                      setNote(t('passwordReset', { name: u.name }));
                                    });
                                }}
                              >
                                {t('resetPassword')}
                              </button>
                            ) : null}
                            <button
                              type="button"
                              className="danger small"
                              aria-label={t('removeUserNamed', { name: u.name })}
                              onClick={() => {
                                if (confirm(t('confirmRemove', { name: u.name })))
                                  void act(() => api(path, { method: 'DELETE' }));
                              }}
                            >
                              {t('remove')}
                            </button>
                          </div>
                        </details>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {!page ? <p className="muted">{t('loading')}</p> : null}
        {page && page.items.length === 0 ? <p className="muted">{t('noUsersMatch')}</p> : null}
        <div className="row pager">
          <button
            type="button"
            className="secondary"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            {t('previous')}
          </button>
          <span className="muted" id="users-count">
            {t('showingOf', {
              from: f.number(total ? offset + 1 : 0),
              to: f.number(offset + (page?.items.length ?? 0)),
              total: f.number(total),
            })}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={!page?._pagination.next}
            onClick={() => setOffset(offset + PAGE)}
          >
            {t('next')}
          </button>
        </div>
      </section>
    </>
  );
}
