import { useEffect, useRef, useState } from 'react';
import { api, ApiError, enc, type Me, type ProgressEvent, type ServerSummary } from '../api';
import { ProgressBar } from '../components/ProgressBar';
import { Problem } from '../components/Problem';
import { useFormat, useT } from '../i18n';

function serverPath(user: string, name: string) {
  return `/hub/api/users/${enc(user)}/${name ? `servers/${enc(name)}` : 'server'}`;
}

/** Follows a spawn's progress stream until it is ready or failed. */
function useProgress(url: string | null, onReady: (url: string) => void) {
  const [event, setEvent] = useState<ProgressEvent | null>(null);
  const ready = useRef(onReady);
  ready.current = onReady;
  useEffect(() => {
    if (!url) {
      setEvent(null);
      return;
    }
    setEvent({ progress: 0, message: '' });
    const es = new EventSource(url);
    es.onmessage = (e) => {
      const ev = JSON.parse(e.data as string) as ProgressEvent;
      setEvent(ev);
      if (ev.ready) {
        es.close();
        // A moment at 100 % tells the person it worked before the server's page replaces this one.
        setTimeout(() => ready.current(ev.url ?? ''), 300);
      }
      if (ev.failed) es.close();
    };
    // The stream ends after a final event; the live server list then tells the state.
    es.onerror = () => es.close();
    return () => es.close();
  }, [url]);
  return event;
}

export function ServerCard({
  me,
  summary,
  user,
  name,
  followOnReady,
}: {
  me: Me;
  summary: ServerSummary | undefined;
  user: string;
  name: string;
  followOnReady: boolean;
}) {
  const t = useT();
  const f = useFormat();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [follow, setFollow] = useState(followOnReady);
  const [progressUrl, setProgressUrl] = useState<string | null>(null);
  const [image, setImage] = useState(me.images[0] ?? '');
  const status = summary?.status ?? 'stopped';
  const spawning = status === 'spawning';
  const progressSource = spawning ? (summary?.progressUrl ?? progressUrl) : progressUrl;
  const progress = useProgress(spawning || progressUrl ? progressSource : null, (url) => {
    if (follow) location.assign(url || summary?.url || `/user/${enc(user)}/`);
  });

  const start = async () => {
    setBusy(true);
    setError(null);
    setFollow(true);
    setProgressUrl(null);
    try {
      await api(serverPath(user, name), { method: 'POST', json: me.images.length > 1 ? { image } : {} });
      setProgressUrl(`${serverPath(user, name)}/progress`);
    } catch (err) {
      // A start that failed (502) is shown by the failure card with its logs; other refusals here.
      if ((err as ApiError).status !== 502) setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(serverPath(user, name), { method: 'DELETE' });
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const label = name ? t('namedServer', { name }) : t('yourServer');
  const failure = status === 'failed' ? summary?.failure : null;
  const statusText = t(`status_${status}`);

  return (
    <section className="card server-card" aria-label={label}>
      <div className="row spread">
        <h2>{label}</h2>
        <span
          className={`badge status-${status}`}
          id={name ? undefined : 'server-status'}
          data-status={status}
        >
          {statusText}
        </span>
      </div>
      {summary?.started && status === 'running' ? (
        <p className="muted">{t('runningSince', { when: f.relative(summary.started) })}</p>
      ) : null}
      {/* At 100 % the bar stays until the server's page replaces this one. */}
      {progress && !progress.failed && (spawning || !progress.ready || follow) ? (
        <ProgressBar
          value={progress?.progress ?? 0}
          label={t('startProgress')}
          message={progress?.message ?? ''}
        />
      ) : null}
      {failure ? (
        <Problem
          id="server-failure"
          title={
            failure.exitCode === 137 || failure.reason === 'container-gone'
              ? t('stoppedUnexpectedly')
              : t('failedToStart')
          }
          message={failure.message}
          fix={failure.fix}
          evidence={failure.evidence}
        >
          <button type="button" id="retry-server" onClick={start} disabled={busy || !me.docker.ok}>
            {t('retry')}
          </button>
        </Problem>
      ) : null}
      {error ? (
        <Problem
          title={t('thatDidNotWork')}
          message={error.message}
          fix={error.fix}
          evidence={error.evidence}
        />
      ) : null}
      {me.images.length > 1 && (status === 'stopped' || status === 'failed') ? (
        <label className="image-choice">
          {t('chooseImage')}
          <select
            id={name ? undefined : 'image-choice'}
            value={image}
            onChange={(e) => setImage(e.target.value)}
          >
            {me.images.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <div className="actions">
        {status === 'running' ? (
          <>
            <a className="button" id={name ? undefined : 'open-server'} href={summary?.url}>
              {t('open')}
            </a>
            <button
              type="button"
              className="secondary"
              id={name ? undefined : 'stop-server'}
              onClick={stop}
              disabled={busy}
            >
              {t('stop')}
            </button>
          </>
        ) : status === 'stopped' || status === 'failed' ? (
          failure ? null : (
            <button
              type="button"
              id={name ? undefined : 'start-server'}
              onClick={start}
              disabled={busy || !me.docker.ok}
            >
              {t('start')}
            </button>
          )
        ) : (
          <button type="button" className="secondary" disabled>
            {statusText}
          </button>
        )}
        {me.user.admin || me.user.name === user ? (
          <a className="button secondary" href={`/hub/logs/${enc(user)}${name ? `/${enc(name)}` : ''}`}>
            {t('logs')}
          </a>
        ) : null}
      </div>
    </section>
  );
}

function NamedServers({ me, servers }: { me: Me; servers: ServerSummary[] }) {
  const t = useT();
  const [name, setName] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const named = servers.filter((s) => s.user === me.user.name && s.name);
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api(serverPath(me.user.name, name.trim()), { method: 'POST', json: {} });
      setName('');
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section className="card" aria-labelledby="named-title">
      <h2 id="named-title">{t('namedServers')}</h2>
      {named.map((s) => (
        <ServerCard
          key={s.name}
          me={me}
          summary={s}
          user={me.user.name}
          name={s.name}
          followOnReady={false}
        />
      ))}
      <form className="row" onSubmit={create}>
        <label className="grow">
          {t('newServerName')}
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={255} />
        </label>
        <button type="submit">{t('createServer')}</button>
      </form>
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
    </section>
  );
}

export function Home({ me, servers, target }: { me: Me; servers: ServerSummary[]; target?: string }) {
  const t = useT();
  const user = target ?? me.user.name;
  const mine = servers.find((s) => s.user === user && s.name === '');
  return (
    <>
      <h1>{target && target !== me.user.name ? t('serverOf', { user }) : t('home')}</h1>
      {!me.docker.ok ? (
        <Problem
          title={t('serversCannotStart')}
          message={me.docker.message}
          fix={me.docker.fix}
          evidence={me.docker.evidence}
        />
      ) : null}
      <ServerCard me={me} summary={mine} user={user} name="" followOnReady={!!target} />
      {me.namedServers.enabled && !target ? <NamedServers me={me} servers={servers} /> : null}
    </>
  );
}
