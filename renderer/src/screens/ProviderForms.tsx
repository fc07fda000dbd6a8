import { useState } from 'react';
import { api, ApiError, enc } from '../api';
import { CallbackUrls } from '../components/CallbackUrls';
import { Field } from '../components/Field';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';
import type { MessageKey } from '../messages';

export interface GithubSettings {
  clientId: string;
  url: string;
  apiUrl: string;
  callbackUrl?: string;
  allowedOrganizations: string[];
  deviceFlow: boolean;
  scopes: string[];
  secretSaved: boolean;
  /** Why it is off (its secret was lost), or null when it works. */
  off: string | null;
}

export interface OidcSettings {
  id: string;
  displayName: string;
  issuer: string;
  clientId: string;
  callbackUrl?: string;
  scopes: string[];
  pkce: boolean;
  usernameClaim: string;
  stripEmailDomain: boolean;
  groupsClaim: string;
  allowedGroups: string[];
  adminGroups: string[];
  /** Has a client secret (saved, or lost while it is off). */
  confidential: boolean;
  secretSaved: boolean;
  off: string | null;
}

export const PROVIDERS = '/hub/ui/api/settings/providers';
/** Where one provider is changed or turned off: GitHub, or the OpenID provider with this id. */
export const providerPath = (oidcId?: string) =>
  oidcId === undefined ? `${PROVIDERS}/github` : `${PROVIDERS}/oidc/${enc(oidcId)}`;

/** GET /hub/ui/api/settings/providers: every field but the secrets. */
export interface ProviderSettings {
  github: GithubSettings | null;
  oidc: OidcSettings[];
  callbackBases: string[];
  problems: string[];
}

const lines = (list: string[]) => list.join('\n');
/** One entry per line: group names may hold spaces and commas (cn=team,ou=groups), and "my org" must reach the hub whole to be refused. */
const perLine = (text: string) =>
  text
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean);

function FormButtons({
  onCancel,
  saveId,
  error,
  shown,
}: {
  onCancel: () => void;
  saveId: string;
  error: ApiError | null;
  /** The fields this form shows messages under; any other refusal is shown as a whole. */
  shown: string[];
}) {
  const t = useT();
  const keys = Object.keys(error?.fields ?? {});
  const fieldsShown = keys.length > 0 && keys.every((k) => shown.includes(k));
  return (
    <>
      <div className="actions">
        <button type="submit" id={saveId}>
          {t('saveAndUse')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('cancelEdit')}
        </button>
      </div>
      {error && !fieldsShown ? (
        <Problem title={t('thatDidNotWork')} message={error.message} fix={error.fix} />
      ) : null}
    </>
  );
}

/** One text field of a provider form: its label, its value's key, and how it is shown. */
interface FieldSpec {
  key: string;
  label: MessageKey;
  type?: 'text' | 'password' | 'url';
  mono?: boolean;
  rows?: number;
  placeholder?: string;
  autoComplete?: string;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The form's text fields, each with the hub's message for it (fields are `<kind>.<key>`). */
function FieldGrid({
  kind,
  specs,
  values,
  onChange,
  errors,
}: {
  kind: 'github' | 'oidc';
  specs: FieldSpec[];
  values: Record<string, string>;
  onChange: (key: string, value: string) => void;
  errors: Record<string, string>;
}) {
  const t = useT();
  return (
    <div className="grid2">
      {specs.map((f) => (
        <Field
          key={f.key}
          label={t(f.label)}
          id={`${kind}-${kebab(f.key)}`}
          value={values[f.key] ?? ''}
          onChange={(v) => onChange(f.key, v)}
          error={errors[`${kind}.${f.key}`]}
          {...(f.type ? { type: f.type } : {})}
          {...(f.mono ? { mono: true } : {})}
          {...(f.rows ? { rows: f.rows } : {})}
          {...(f.placeholder ? { placeholder: f.placeholder } : {})}
          {...(f.autoComplete ? { autoComplete: f.autoComplete } : {})}
        />
      ))}
    </div>
  );
}

/** Text values of a form, one state for all. */
function useValues(initial: Record<string, string>) {
  const [values, setValues] = useState(initial);
  const set = (key: string, value: string) => setValues((v) => ({ ...v, [key]: value }));
  return [values, set] as const;
}

const secretField = (saved: boolean | undefined, t: (k: MessageKey) => string): FieldSpec => ({
  key: 'clientSecret',
  label: 'clientSecret',
  type: 'password',
  mono: true,
  autoComplete: 'new-password',
  ...(saved ? { placeholder: t('secretKept') } : {}),
});

/** Sets up or changes GitHub sign-in; the secret is write-only (blank keeps the saved one). */
export function GithubForm({
  current,
  bases,
  onDone,
}: {
  current: GithubSettings | null;
  bases: string[];
  onDone: (saved: boolean) => void;
}) {
  const t = useT();
  const [v, set] = useValues({
    clientId: current?.clientId ?? '',
    clientSecret: '',
    url: current?.url ?? '',
    apiUrl: current?.apiUrl ?? '',
    allowedOrganizations: lines(current?.allowedOrganizations ?? []),
    callbackUrl: current?.callbackUrl ?? '',
  });
  const [deviceFlow, setDeviceFlow] = useState(current?.deviceFlow ?? false);
  const [error, setError] = useState<ApiError | null>(null);
  const orgList = perLine(v.allowedOrganizations ?? '');
  const scopes = [...new Set([...(current?.scopes ?? []), ...(orgList.length ? ['read:org'] : [])])];
  const specs: FieldSpec[] = [
    { key: 'clientId', label: 'clientId', mono: true, autoComplete: 'off' },
    secretField(current?.secretSaved, t),
    { key: 'url', label: 'githubUrl', type: 'url', mono: true, placeholder: 'https://github.com' },
    { key: 'apiUrl', label: 'githubApiUrl', type: 'url', mono: true, placeholder: 'https://api.github.com' },
    {
      key: 'allowedOrganizations',
      label: 'allowedOrgs',
      rows: 2,
      mono: true,
      placeholder: 'my-org or my-org:team',
    },
    { key: 'callbackUrl', label: 'callbackOverride', type: 'url', mono: true },
  ];
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api(providerPath(), {
        method: 'PUT',
        json: { ...v, allowedOrganizations: orgList, deviceFlow },
      });
      onDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const f = error?.fields ?? {};
  const callback = (v.callbackUrl ?? '').trim();
  return (
    <form className="card provider-form" id="github-form" onSubmit={submit} noValidate>
      <h3>{current ? t('githubEdit') : t('githubSetUp')}</h3>
      <p className="muted">{t('githubHelp')}</p>
      <CallbackUrls urls={callback ? [callback] : bases.map((b) => `${b}/hub/oauth_callback`)} />
      <FieldGrid kind="github" specs={specs} values={v} onChange={set} errors={f} />
      <label className="inline switch">
        <input
          type="checkbox"
          role="switch"
          id="github-device-flow"
          checked={deviceFlow}
          onChange={(e) => setDeviceFlow(e.target.checked)}
        />
        {t('deviceFlowSwitch')}
      </label>
      <p className="muted" id="github-scopes">
        {scopes.length ? t('scopesRequested', { scopes: scopes.join(', ') }) : t('noExtraScopes')}
      </p>
      <FormButtons
        onCancel={() => onDone(false)}
        saveId="save-github"
        error={error}
        shown={specs.map((x) => `github.${x.key}`)}
      />
    </form>
  );
}

/** Adds an OpenID Connect provider, or changes one (its id is part of the callback URL, so fixed). */
export function OidcForm({
  current,
  bases,
  onDone,
}: {
  current: OidcSettings | null;
  bases: string[];
  onDone: (saved: boolean) => void;
}) {
  const t = useT();
  const [v, set] = useValues({
    id: current?.id ?? '',
    displayName: current?.displayName ?? '',
    issuer: current?.issuer ?? '',
    clientId: current?.clientId ?? '',
    clientSecret: '',
    scopes: (current?.scopes ?? ['openid', 'profile', 'email']).join(' '),
    usernameClaim: current?.usernameClaim ?? 'preferred_username',
    groupsClaim: current?.groupsClaim ?? 'groups',
    allowedGroups: lines(current?.allowedGroups ?? []),
    adminGroups: lines(current?.adminGroups ?? []),
    callbackUrl: current?.callbackUrl ?? '',
  });
  const [publicClient, setPublicClient] = useState(current ? !current.confidential : false);
  const [strip, setStrip] = useState(current?.stripEmailDomain ?? false);
  const [pkce, setPkce] = useState(current?.pkce ?? true);
  const [error, setError] = useState<ApiError | null>(null);
  const specs: FieldSpec[] = [
    ...(current
      ? []
      : [{ key: 'id', label: 'providerId', mono: true, placeholder: 'keycloak' } as FieldSpec]),
    { key: 'displayName', label: 'buttonName', placeholder: 'Team Keycloak' },
    {
      key: 'issuer',
      label: 'issuerUrl',
      type: 'url',
      mono: true,
      placeholder: 'https://sso.example.org/realms/team',
    },
    { key: 'clientId', label: 'clientId', mono: true, autoComplete: 'off' },
    ...(publicClient ? [] : [secretField(current?.secretSaved, t)]),
    { key: 'scopes', label: 'scopesField', mono: true },
    { key: 'usernameClaim', label: 'usernameClaim', mono: true },
    { key: 'groupsClaim', label: 'groupsClaim', mono: true },
    { key: 'allowedGroups', label: 'allowedGroups', rows: 2 },
    { key: 'adminGroups', label: 'adminGroups', rows: 2 },
    { key: 'callbackUrl', label: 'callbackOverride', type: 'url', mono: true },
  ];
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = {
      ...v,
      clientSecret: publicClient ? '' : v.clientSecret,
      publicClient,
      scopes: (v.scopes ?? '').split(/[\s,]+/).filter(Boolean),
      stripEmailDomain: strip,
      allowedGroups: perLine(v.allowedGroups ?? ''),
      adminGroups: perLine(v.adminGroups ?? ''),
      pkce,
    };
    try {
      await (current
        ? api(providerPath(current.id), { method: 'PUT', json: body })
        : api(`${PROVIDERS}/oidc`, { method: 'POST', json: body }));
      onDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const f = error?.fields ?? {};
  const callback = (v.callbackUrl ?? '').trim();
  const shownId = (v.id ?? '').trim() || '<id>';
  const checkbox = (id: string, checked: boolean, change: (on: boolean) => void, label: MessageKey) => (
    <label className="inline">
      <input type="checkbox" id={id} checked={checked} onChange={(e) => change(e.target.checked)} />
      {t(label)}
    </label>
  );
  return (
    <form className="card provider-form" id="oidc-form" onSubmit={submit} noValidate>
      <h3>{current ? t('oidcEdit', { name: current.displayName }) : t('oidcAdd')}</h3>
      <p className="muted">{t('oidcHelp')}</p>
      <CallbackUrls urls={callback ? [callback] : bases.map((b) => `${b}/hub/oidc/${shownId}/callback`)} />
      <FieldGrid kind="oidc" specs={specs} values={v} onChange={set} errors={f} />
      <div className="row">
        {checkbox('oidc-public-client', publicClient, setPublicClient, 'publicClient')}
        {checkbox('oidc-pkce', pkce, setPkce, 'pkce')}
        {checkbox('oidc-strip-domain', strip, setStrip, 'stripEmailDomain')}
      </div>
      <FormButtons
        onCancel={() => onDone(false)}
        saveId="save-oidc"
        error={error}
        shown={specs.map((x) => `oidc.${x.key}`)}
      />
    </form>
  );
}
