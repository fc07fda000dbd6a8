import { useT } from '../i18n';
import { CopyButton } from './CopyButton';

/** The callback URLs to register at a provider, each with a copy button. */
export function CallbackUrls({ urls }: { urls: string[] }) {
  const t = useT();
  return (
    <div className="callback-urls">
      <p>{t('registerCallbacks')}</p>
      {urls.map((u) => (
        <div className="row" key={u}>
          <code className="grow mono callback-url">{u}</code>
          <CopyButton text={u} label={t('copyCallback')} />
        </div>
      ))}
    </div>
  );
}
