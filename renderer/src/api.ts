/** What the hub says when a call fails: the sentence, the fix, the evidence, field messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fix?: string,
    readonly evidence: string[] = [],
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

let xsrf = '';
export const setXsrf = (token: string | null) => {
  xsrf = token ?? '';
};

export async function api<T = unknown>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (xsrf) headers.set('x-xsrftoken', xsrf);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, body, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, `The hub did not answer (${String((err as Error).message)}).`);
  }
  if (res.status === 204 || res.status === 202) {
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const d = (data ?? {}) as {
      message?: string;
      fix?: string;
      evidence?: string[];
      fields?: Record<string, string>;
    };
    throw new ApiError(
      res.status,
      d.message ?? `HTTP ${res.status}`,
      d.fix,
      d.evidence ?? [],
      d.fields ?? {},
    );
  }
  return data as T;
}

export const enc = encodeURIComponent;

export interface ServerFailure {
  message: string;
  reason: string;
  evidence: string[];
  fix?: string;
  exitCode?: number;
  at: string;
}

export interface ServerSummary {
  user: string;
  name: string;
  status: 'spawning' | 'running' | 'stopping' | 'stopped' | 'failed';
  url: string;
  progressUrl: string;
  started: string | null;
  lastActivity: string | null;
  failure: ServerFailure | null;
}

export interface Me {
  user: { name: string; admin: boolean };
  xsrf: string | null;
  jupyterhubVersion: string;
  namedServers: { enabled: boolean; limitPerUser?: number };
  scopes: string[];
  scopeNames: string[];
  servers: ServerSummary[];
  /** Images a person may choose from; the first is the default. */
  images: string[];
  onlyAdminsCanSignIn: boolean;
  /** Password accounts are on: admins get invites, approvals and password resets. */
  localAccounts: boolean;
  docker: { ok: true } | { ok: false; message: string; evidence: string[]; fix: string | null };
}

export interface UserModel {
  name: string;
  admin: boolean;
  groups: string[];
  created: string;
  last_activity: string | null;
  server: string | null;
  pending: string | null;
  servers?: Record<string, { ready: boolean; pending: string | null; url: string }>;
}

export interface TokenModel {
  id: string;
  user: string | null;
  note: string;
  scopes: string[];
  created: string;
  last_activity: string | null;
  expires_at: string | null;
  token?: string;
}

export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
}
