import { useState } from 'react';
import { api, ApiError, enc } from '../api';
import { CallbackUrls } from '../components/CallbackUrls';
import { Field } from '../components/Field';
import { Problem } from '../components/Problem';
import { useT } from '../i18n';

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

/** GET /hub/ui/api/settings/providers: every field but the secrets. */
export interface ProviderSettings {
  github: GithubSettings | null;
  oidc: OidcSettings[];
  callbackBases: string[];
  problems: string[];
}

const lines = (list: string[]) => list.join('\n');
/** One entry per line (or comma): group names may hold spaces, and "my org" must reach the hub whole to be refused. */
const perLine = (text: string) =>
  text
    .split(/[\n,]/)
    .map((o) => o.trim())
    .filter(Boolean);

function FormButtons({
  onCancel,
  saveId,
  error,
}: {
  onCancel: () => void;
  saveId: string;
  error: ApiError | null;
}) {
  const t = useT();
  const fieldsShown = error && Object.keys(error.fields).length > 0;
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
  const [clientId, setClientId] = useState(current?.clientId ?? '');
  const [secret, setSecret] = useState('');
  const [url, setUrl] = useState(current?.url ?? '');
  const [apiUrl, setApiUrl] = useState(current?.apiUrl ?? '');
  const [callbackUrl, setCallbackUrl] = useState(current?.callbackUrl ?? '');
  const [orgs, setOrgs] = useState(lines(current?.allowedOrganizations ?? []));
  const [deviceFlow, setDeviceFlow] = useState(current?.deviceFlow ?? false);
  const [error, setError] = useState<ApiError | null>(null);
  const orgList = perLine(orgs);
  const scopes = [...new Set([...(current?.scopes ?? []), ...(orgList.length ? ['read:org'] : [])])];
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/hub/ui/api/settings/providers/github', {
        method: 'PUT',
        json: {
          clientId,
          clientSecret: secret,
          url,
          apiUrl,
          callbackUrl,
          allowedOrganizations: orgList,
          deviceFlow,
          scopes: current?.scopes ?? [],
        },
      });
      onDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const f = error?.fields ?? {};
  return (
    <form className="card provider-form" id="github-form" onSubmit={submit} noValidate>
      <h3>{current ? t('githubEdit') : t('githubSetUp')}</h3>
      <p className="muted">{t('githubHelp')}</p>
      <CallbackUrls
        urls={callbackUrl.trim() ? [callbackUrl.trim()] : bases.map((b) => `${b}/hub/oauth_callback`)}
      />
      <div className="grid2">
        <Field
          label={t('clientId')}
          id="github-client-id"
          mono
          value={clientId}
          onChange={setClientId}
          error={f['github.clientId']}
          autoComplete="off"
        />
        <Field
          label={t('clientSecret')}
          id="github-client-secret"
          type="password"
          mono
          value={secret}
          onChange={setSecret}
          error={f['github.clientSecret']}
          placeholder={current?.secretSaved ? t('secretKept') : ''}
          autoComplete="new-password"
        />
        <Field
          label={t('githubUrl')}
          id="github-url"
          type="url"
          mono
          value={url}
          onChange={setUrl}
          error={f['github.url']}
          placeholder="https://github.com"
        />
        <Field
          label={t('githubApiUrl')}
          id="github-api-url"
          type="url"
          mono
          value={apiUrl}
          onChange={setApiUrl}
          error={f['github.apiUrl']}
          placeholder="https://api.github.com"
        />
        <Field
          label={t('allowedOrgs')}
          id="github-orgs"
          rows={2}
          mono
          value={orgs}
          onChange={setOrgs}
          error={f['github.allowedOrganizations']}
          placeholder="my-org or my-org:team"
        />
        <Field
          label={t('callbackOverride')}
          id="github-callback"
          type="url"
          mono
          value={callbackUrl}
          onChange={setCallbackUrl}
          error={f['github.callbackUrl']}
        />
      </div>
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
      {f.github ? (
        <p className="field-error" role="alert">
          {f.github}
        </p>
      ) : null}
      <FormButtons onCancel={() => onDone(false)} saveId="save-github" error={error} />
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
  const [id, setId] = useState(current?.id ?? '');
  const [displayName, setDisplayName] = useState(current?.displayName ?? '');
  const [issuer, setIssuer] = useState(current?.issuer ?? '');
  const [clientId, setClientId] = useState(current?.clientId ?? '');
  const [secret, setSecret] = useState('');
  const [publicClient, setPublicClient] = useState(current ? !current.confidential : false);
  const [scopes, setScopes] = useState((current?.scopes ?? ['openid', 'profile', 'email']).join(' '));
  const [usernameClaim, setUsernameClaim] = useState(current?.usernameClaim ?? 'preferred_username');
  const [strip, setStrip] = useState(current?.stripEmailDomain ?? false);
  const [groupsClaim, setGroupsClaim] = useState(current?.groupsClaim ?? 'groups');
  const [allowed, setAllowed] = useState(lines(current?.allowedGroups ?? []));
  const [admins, setAdmins] = useState(lines(current?.adminGroups ?? []));
  const [pkce, setPkce] = useState(current?.pkce ?? true);
  const [callbackUrl, setCallbackUrl] = useState(current?.callbackUrl ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const shownId = id.trim() || '<id>';
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = {
      id,
      displayName,
      issuer,
      clientId,
      clientSecret: publicClient ? '' : secret,
      publicClient,
      callbackUrl,
      scopes: scopes.split(/[\s,]+/).filter(Boolean),
      usernameClaim,
      stripEmailDomain: strip,
      groupsClaim,
      allowedGroups: perLine(allowed),
      adminGroups: perLine(admins),
      pkce,
    };
    try {
      await (current
        ? api(`/hub/ui/api/settings/providers/oidc/${enc(current.id)}`, { method: 'PUT', json: body })
        : api('/hub/ui/api/settings/providers/oidc', { method: 'POST', json: body }));
      onDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const f = error?.fields ?? {};
  return (
    <form className="card provider-form" id="oidc-form" onSubmit={submit} noValidate>
      <h3>{current ? t('oidcEdit', { name: current.displayName }) : t('oidcAdd')}</h3>
      <p className="muted">{t('oidcHelp')}</p>
      <CallbackUrls
        urls={
          callbackUrl.trim() ? [callbackUrl.trim()] : bases.map((b) => `${b}/hub/oidc/${shownId}/callback`)
        }
      />
      <div className="grid2">
        {current ? null : (
          <Field
            label={t('providerId')}
            id="oidc-id"
            mono
            value={id}
            onChange={setId}
            error={f['oidc.id']}
            placeholder="keycloak"
          />
        )}
        <Field
          label={t('buttonName')}
          id="oidc-display-name"
          value={displayName}
          onChange={setDisplayName}
          error={f['oidc.displayName']}
          placeholder="Team Keycloak"
        />
        <Field
          label={t('issuerUrl')}
          id="oidc-issuer"
          type="url"
          mono
          value={issuer}
          onChange={setIssuer}
          error={f['oidc.issuer']}
          placeholder="https://sso.example.org/realms/team"
        />
        <Field
          label={t('clientId')}
          id="oidc-client-id"
          mono
          value={clientId}
          onChange={setClientId}
          error={f['oidc.clientId']}
          autoComplete="off"
        />
        {publicClient ? null : (
          <Field
            label={t('clientSecret')}
            id="oidc-client-secret"
            type="password"
            mono
            value={secret}
            onChange={setSecret}
            error={f['oidc.clientSecret']}
            placeholder={current?.secretSaved ? t('secretKept') : ''}
            autoComplete="new-password"
          />
        )}
        <Field
          label={t('scopesField')}
          id="oidc-scopes"
          mono
          value={scopes}
          onChange={setScopes}
          error={f['oidc.scopes']}
        />
        <Field
          label={t('usernameClaim')}
          id="oidc-username-claim"
          mono
          value={usernameClaim}
          onChange={setUsernameClaim}
          error={f['oidc.usernameClaim']}
        />
        <Field
          label={t('groupsClaim')}
          id="oidc-groups-claim"
          mono
          value={groupsClaim}
          onChange={setGroupsClaim}
          error={f['oidc.groupsClaim']}
        />
        <Field
          label={t('allowedGroups')}
          id="oidc-allowed-groups"
          rows={2}
          value={allowed}
          onChange={setAllowed}
          error={f['oidc.allowedGroups']}
        />
        <Field
          label={t('adminGroups')}
          id="oidc-admin-groups"
          rows={2}
          value={admins}
          onChange={setAdmins}
          error={f['oidc.adminGroups']}
        />
        <Field
          label={t('callbackOverride')}
          id="oidc-callback"
          type="url"
          mono
          value={callbackUrl}
          onChange={setCallbackUrl}
          error={f['oidc.callbackUrl']}
        />
      </div>
      <div className="row">
        <label className="inline">
          <input
            type="checkbox"
            id="oidc-public-client"
            checked={publicClient}
            onChange={(e) => setPublicClient(e.target.checked)}
          />
          {t('publicClient')}
        </label>
        <label className="inline">
          <input type="checkbox" id="oidc-pkce" checked={pkce} onChange={(e) => setPkce(e.target.checked)} />
          {t('pkce')}
        </label>
        <label className="inline">
          <input
            type="checkbox"
            id="oidc-strip-domain"
            checked={strip}
            onChange={(e) => setStrip(e.target.checked)}
          />
          {t('stripEmailDomain')}
        </label>
      </div>
      {f.oidc ? (
        <p className="field-error" role="alert">
          {f.oidc}
        </p>
      ) : null}
      <FormButtons onCancel={() => onDone(false)} saveId="save-oidc" error={error} />
    </form>
  );
}
