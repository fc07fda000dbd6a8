import { useT } from '../i18n';

export interface ProblemProps {
  title: string;
  message: string;
  fix?: string | null | undefined;
  evidence?: string[] | undefined;
  children?: React.ReactNode;
  id?: string;
}

/** The one way a failure is shown: the sentence, the fix, what the hub saw. */
export function Problem({ title, message, fix, evidence, children, id }: ProblemProps) {
  const t = useT();
  return (
    <section className="card problem" role="alert" id={id}>
      <h2>{title}</h2>
      <p className="message">{message}</p>
      {fix ? (
        <p>
          <strong>{t('fix')}</strong> {fix}
        </p>
      ) : null}
      {evidence?.length ? (
        <>
          <p className="muted">{t('whatTheHubSaw')}</p>
          <pre className="evidence">{evidence.join('\n')}</pre>
        </>
      ) : null}
      {children}
    </section>
  );
}
