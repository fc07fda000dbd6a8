/**
 * An error meant for a person: `message` is the one plain sentence we show (page, API body, CLI),
 * `status` the HTTP status, `reason` a stable code for logs, metrics and tests, `evidence` what we saw
 * (log lines, the URL that failed), and `fix` what to do about it.
 */
export class HubError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly evidence: string[];
  readonly fix: string | undefined;

  constructor(
    status: number,
    reason: string,
    message: string,
    options: { evidence?: string[]; fix?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HubError';
    this.status = status;
    this.reason = reason;
    this.evidence = options.evidence ?? [];
    this.fix = options.fix;
  }
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}

/** A short description of any thrown value, without its stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? `: ${describeError(err.cause)}` : '';
    return `${code ? `${code} ` : ''}${err.message}${cause}`;
  }
  return String(err);
}
