import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, enc, type ServerFailure, type ServerSummary } from '../api';
import { Problem } from '../components/Problem';
import { useFormat, useT } from '../i18n';
import { useApiAction } from '../use-action';

interface ContainerView {
  user: string;
  server: string;
  status: ServerSummary['status'];
  url: string;
  containerName: string | null;
  image: string | null;
  started: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  exitCode: number | null;
  failure: ServerFailure | null;
}

const REFRESH_MS = 5000;

export function Servers({ live }: { live: ServerSummary[] }) {
  const t = useT();
  const f = useFormat();
  const [rows, setRows] = useState<ContainerView[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    try {
      setRows((await api<{ containers: ContainerView[] }>('/hub/ui/api/containers')).containers);
      setError(null);
    } catch (err) {
      setError(err as ApiError);
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const { act, error: actError } = useApiAction(load);
  const shownError = actError ?? error;
  // Live states win over the last (slower) container poll.
  const stateOf = (r: ContainerView) =>
    live.find((s) => s.user === r.user && s.name === r.server)?.status ?? r.status;
  const serverApi = (r: ContainerView) =>
    `/hub/api/users/${enc(r.user)}/${r.server ? `servers/${enc(r.server)}` : 'server'}`;
  const query = (r: ContainerView) => (r.server ? `?server=${enc(r.server)}` : '');

  return (
    <>
      <div className="row spread">
        <h1>{t('servers')}</h1>
        <button
          type="button"
          className="danger"
          id="stop-all"
          onClick={() => {
            if (!confirm(t('confirmStopAll'))) return;
            void act(async () => {
              const r = await api<{ stopped: number; left: number }>('/hub/ui/api/stop-all', {
                method: 'POST',
                json: {},
              });
              setNote(t('stoppedCount', { n: r.stopped, left: r.left }));
            });
          }}
        >
          {t('stopAll')}
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {note}
      </p>
      {shownError ? (
        <Problem title={t('thatDidNotWork')} message={shownError.message} fix={shownError.fix} />
      ) : null}
      <div className="table-wrap card">
        <table id="servers-table">
          <thead>
            <tr>
              <th scope="col">{t('user')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('image')}</th>
              <th scope="col">{t('container')}</th>
              <th scope="col">{t('uptime')}</th>
              <th scope="col">{t('cpu')}</th>
              <th scope="col">{t('memory')}</th>
              <th scope="col">{t('exit')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const state = stateOf(r);
              return (
                <tr key={`${r.user}/${r.server}`} data-user={r.user}>
                  <th scope="row">
                    {r.user}
                    {r.server ? <span className="muted">/{r.server}</span> : null}
                  </th>
                  <td>
                    <span className={`badge status-${state}`}>{t(`status_${state}`)}</span>
                  </td>
                  <td className="mono">{r.image ?? '—'}</td>
                  <td className="mono">{r.containerName ?? '—'}</td>
                  <td>{r.started && state === 'running' ? f.duration(r.started) : '—'}</td>
                  <td className="num">{r.cpuPercent === null ? '—' : `${f.number(r.cpuPercent)} %`}</td>
                  <td className="num">
                    {r.memoryBytes === null ? '—' : f.bytes(r.memoryBytes)}
                    {r.memoryLimitBytes ? ` / ${f.bytes(r.memoryLimitBytes)}` : ''}
                  </td>
                  <td title={r.failure?.message ?? ''}>
                    {r.exitCode !== null
                      ? t('exitCode', { code: r.exitCode })
                      : r.failure
                        ? t('failed')
                        : '—'}
                  </td>
                  <td>
                    <div className="actions">
                      {state === 'running' ? (
                        <>
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => act(() => api(serverApi(r), { method: 'DELETE' }))}
                          >
                            {t('stop')}
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            title={t('restartHelp')}
                            onClick={() =>
                              act(() =>
                                api(`/hub/ui/api/users/${enc(r.user)}/restart${query(r)}`, {
                                  method: 'POST',
                                  json: {},
                                }),
                              )
                            }
                          >
                            {t('restart')}
                          </button>
                        </>
                      ) : state === 'stopped' || state === 'failed' ? (
                        <button
                          type="button"
                          className="small"
                          onClick={() => act(() => api(serverApi(r), { method: 'POST', json: {} }))}
                        >
                          {t('startShort')}
                        </button>
                      ) : null}
                      <a
                        className="button secondary small"
                        href={`/hub/logs/${enc(r.user)}${r.server ? `/${enc(r.server)}` : ''}`}
                      >
                        {t('logs')}
                      </a>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length === 0 ? <p className="muted">{t('noServers')}</p> : null}
      </div>
    </>
  );
}
