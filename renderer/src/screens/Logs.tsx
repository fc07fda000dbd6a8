import { useEffect, useState } from 'react';
import { enc, type ServerFailure } from '../api';
import { LogViewer, type LogLine } from '../components/LogViewer';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';

const MAX_LINES = 200_000;

export function Logs({ user, server }: { user: string; server: string }) {
  const t = useT();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [status, setStatus] = useState(t('connecting'));
  const [failure, setFailure] = useState<ServerFailure | null>(null);
  const query = server ? `?server=${enc(server)}` : '';
  const base = `/hub/ui/api/users/${enc(user)}/logs`;

  useEffect(() => {
    setLines([]);
    setFailure(null);
    const es = new EventSource(`${base}${query}`);
    es.addEventListener('lines', (e) => {
      const batch = (JSON.parse((e as MessageEvent<string>).data) as { lines: LogLine[] }).lines;
      setLines((old) => {
        const next = old.concat(batch);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
      setStatus(t('live'));
    });
    es.addEventListener('kept', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as {
        lines: LogLine[];
        failure: ServerFailure | null;
      };
      setLines(d.lines);
      setFailure(d.failure);
      setStatus(d.failure ? t('keptFromFailure') : t('noContainer'));
      es.close();
    });
    es.addEventListener('end', () => {
      setStatus(t('containerStopped'));
      es.close();
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) setStatus(t('disconnected'));
    };
    setStatus(t('connecting'));
    return () => es.close();
    // t changes with the language; the stream must not restart for that.
  }, [base, query]);

  return (
    <>
      <h1>{t('logsOf', { name: server ? `${user}/${server}` : user })}</h1>
      {failure ? <Problem title={t('failedToStart')} message={failure.message} fix={failure.fix} /> : null}
      <LogViewer
        lines={lines}
        status={status}
        downloadUrl={`${base}${query}${query ? '&' : '?'}download=1`}
      />
    </>
  );
}
