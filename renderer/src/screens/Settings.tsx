import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { CopyButton } from '../components/CopyButton';
import { Field } from '../components/Field';
import { Problem } from '../components/Problem';
import { QrCode } from '../components/QrCode';
import { useFormat, useT } from '../i18n';
import { SignInSettings } from './SignInSettings';
import { splitNames } from './Users';

export interface SettingsView {
  urls: { local: string; lan: string[]; listening: string };
  lan: {
    fixedByIp: boolean;
    addresses: string[];
    candidates: string[];
    problems: { address: string; message: string }[];
  };
  hubAddress: {
    ok: boolean;
    checked: boolean;
    url: string;
    message: string;
    evidence: string[];
    fix?: string;
    at: string;
  } | null;
  github: { clientId: string; url: string; callbackUrl: string; scopes: string[] } | null;
  githubProblem: string | null;
  access: { allowAll: boolean; allowedUsers: string[]; adminUsers: string[] };
  passwords: { enabled: boolean; signup: 'off' | 'approval' };
  spawner: { image: string; allowedImages: string[]; memLimit: string | null; cpuLimit: number | null };
  onlyAdmins: boolean;
  savedIn: string;
}

interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  message: string;
  fix?: string;
}

function AccessForm({ s, onSaved }: { s: SettingsView; onSaved: () => void }) {
  const t = useT();
  const [allowAll, setAllowAll] = useState(s.access.allowAll);
  const [passwords, setPasswords] = useState(s.passwords.enabled);
  const [signup, setSignup] = useState(s.passwords.signup);
  const [allowed, setAllowed] = useState(s.access.allowedUsers.join('\n'));
  const [admins, setAdmins] = useState(s.access.adminUsers.join('\n'));
  const [image, setImage] = useState(s.spawner.image);
  const [more, setMore] = useState(s.spawner.allowedImages.join('\n'));
  const [mem, setMem] = useState(s.spawner.memLimit ?? '');
  const [cpu, setCpu] = useState(s.spawner.cpuLimit === null ? '' : String(s.spawner.cpuLimit));
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const cpuValue = cpu.trim() === '' ? null : Number(cpu);
    try {
      await api('/hub/ui/api/settings', {
        method: 'PATCH',
        json: {
          access: { allowAll, allowedUsers: splitNames(allowed), adminUsers: splitNames(admins) },
          passwords: { enabled: passwords, signup },
          spawner: {
            image: image.trim(),
            allowedImages: splitNames(more),
            memLimit: mem.trim() || null,
            cpuLimit: Number.isNaN(cpuValue) ? cpu : cpuValue,
          },
        },
      });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const fields = error?.fields ?? {};
  return (
    <form className="card" onSubmit={submit} aria-labelledby="access-title" noValidate>
      <h2 id="access-title">{t('accessAndServers')}</h2>
      <label className="inline switch">
        <input
          type="checkbox"
          id="allow-all"
          role="switch"
          checked={allowAll}
          onChange={(e) => setAllowAll(e.target.checked)}
        />
        {t('allowAll')}
      </label>
      <p className="muted">{t('allowAllHelp')}</p>
      <div className="row">
        <label className="inline switch">
          <input
            type="checkbox"
            id="passwords-enabled"
            role="switch"
            checked={passwords}
            onChange={(e) => setPasswords(e.target.checked)}
          />
          {t('passwordsOn')}
        </label>
        <label className="inline">
          {t('signupMode')}
          <select
            id="signup-mode"
            value={signup}
            onChange={(e) => setSignup(e.target.value as 'off' | 'approval')}
            disabled={!passwords}
          >
            <option value="off">{t('signupModeOff')}</option>
            <option value="approval">{t('signupModeApproval')}</option>
          </select>
        </label>
      </div>
      <div className="grid2">
        <Field
          label={t('allowedUsers')}
          id="allowed-users"
          rows={3}
          value={allowed}
          onChange={setAllowed}
          error={fields['access.allowedUsers']}
        />
        <Field
          label={t('adminUsers')}
          id="admin-users"
          rows={3}
          value={admins}
          onChange={setAdmins}
          error={fields['access.adminUsers']}
        />
        <Field
          label={t('defaultImage')}
          id="image"
          mono
          value={image}
          onChange={setImage}
          error={fields['spawner.image']}
        />
        <Field
          label={t('moreImages')}
          id="allowed-images"
          mono
          rows={2}
          value={more}
          onChange={setMore}
          error={fields['spawner.allowedImages']}
        />
        <div className="row">
          <Field
            label={t('memLimit')}
            id="mem-limit"
            placeholder="2G"
            value={mem}
            onChange={setMem}
            error={fields['spawner.memLimit']}
          />
          <Field
            label={t('cpuLimit')}
            id="cpu-limit"
            placeholder="1.5"
            value={cpu}
            onChange={setCpu}
            error={fields['spawner.cpuLimit']}
          />
        </div>
      </div>
      <div className="row">
        <button type="submit" id="save-settings">
          {t('save')}
        </button>
        <span className="muted" aria-live="polite">
          {saved ? t('savedNoRestart', { file: s.savedIn }) : ''}
        </span>
      </div>
      {error && !Object.keys(fields).length ? (
        <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} />
      ) : null}
    </form>
  );
}

function LanSharing({ s, onChanged }: { s: SettingsView; onChanged: () => void }) {
  const t = useT();
  const [chosen, setChosen] = useState<string[]>(
    s.lan.addresses.length ? s.lan.addresses : s.lan.candidates.slice(0, 1),
  );
  const [error, setError] = useState<ApiError | null>(null);
  const on = s.lan.addresses.length > 0;
  if (s.lan.fixedByIp) return <p className="muted">{t('lanFixed', { ip: s.urls.listening })}</p>;
  const apply = async (addresses: string[]) => {
    setError(null);
    try {
      await api('/hub/ui/api/settings/lan', { method: 'PUT', json: { addresses } });
      onChanged();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <div className="lan-sharing">
      <label className="inline switch">
        <input
          type="checkbox"
          role="switch"
          id="lan-sharing"
          checked={on}
          disabled={!on && s.lan.candidates.length === 0}
          onChange={(e) => void apply(e.target.checked ? chosen : [])}
        />
        {t('lanShare')}
      </label>
      <p className="muted" id="lan-state">
        {on
          ? t('lanOn', { addresses: s.lan.addresses.join(', ') })
          : s.lan.candidates.length
            ? t('lanOffLoopback')
            : t('lanNone')}
      </p>
      {!on && s.lan.candidates.length > 1 ? (
        <fieldset className="row">
          <legend>{t('lanWhich')}</legend>
          {s.lan.candidates.map((a) => (
            <label key={a} className="inline mono">
              <input
                type="checkbox"
                checked={chosen.includes(a)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, a] : chosen.filter((x) => x !== a))}
              />
              {a}
            </label>
          ))}
        </fieldset>
      ) : null}
      {s.lan.problems.map((p) => (
        <p key={p.address} className="field-error" role="alert">
          {p.message}
        </p>
      ))}
      {error ? <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} /> : null}
    </div>
  );
}

export function Settings() {
  const t = useT();
  const f = useFormat();
  const [s, setS] = useState<SettingsView | null>(null);
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(async () => {
    try {
      setS(await api<SettingsView>('/hub/ui/api/settings'));
    } catch (err) {
      setError(err as ApiError);
    }
  }, []);
  useEffect(() => {
    void load();
    api<{ checks: Check[] }>('/hub/ui/api/doctor')
      .then((d) => setChecks(d.checks))
      .catch((err: ApiError) => setError(err));
  }, [load]);
  if (error) return <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} />;
  if (!s) return <p className="muted">{t('loading')}</p>;
  const proof = s.hubAddress;
  return (
    <>
      <h1>{t('settings')}</h1>
      <section className="card" aria-labelledby="urls-title">
        <h2 id="urls-title">{t('hubUrls')}</h2>
        <p>
          {t('localUrl')} <a href={s.urls.local}>{s.urls.local}</a>
        </p>
        <LanSharing s={s} onChanged={load} />
        {s.urls.lan.length ? (
          <div className="lan-urls">
            {s.urls.lan.map((u) => (
              <figure key={u} className="lan-url">
                <QrCode text={u} label={t('qrFor', { url: u })} />
                <figcaption>
                  <a href={u}>{u}</a> <CopyButton text={u} label={t('copyUrl')} />
                </figcaption>
              </figure>
            ))}
          </div>
        ) : null}
      </section>
      <section className="card" aria-labelledby="addr-title">
        <h2 id="addr-title">{t('containerAddress')}</h2>
        {proof ? (
          <>
            <p>
              <span className={`badge ${proof.ok ? 'status-running' : 'status-failed'}`}>
                {proof.ok ? t('proven') : t('notProven')}
              </span>{' '}
              <code>{proof.url}</code> · {f.relative(proof.at)}
            </p>
            <p>{proof.message}</p>
            {proof.fix ? <p>{proof.fix}</p> : null}
          </>
        ) : (
          <p className="muted">{t('notCheckedYet')}</p>
        )}
      </section>
      <SignInSettings onChanged={load} />
      {s.onlyAdmins ? (
        <p className="card warning" role="status">
          {t('onlyAdminsWarning')}
        </p>
      ) : null}
      <AccessForm s={s} onSaved={load} />
      <section className="card" aria-labelledby="doctor-title">
        <h2 id="doctor-title">{t('checks')}</h2>
        {checks ? (
          <ul className="checks" id="doctor-checks">
            {checks.map((c) => (
              <li key={c.name} className={`check-${c.status}`}>
                <span className={`badge check-${c.status}`}>{t(`check_${c.status}`)}</span>{' '}
                <strong>{c.name}</strong>: {c.message}
                {c.fix ? <div className="muted">{c.fix}</div> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('loading')}</p>
        )}
      </section>
    </>
  );
}
