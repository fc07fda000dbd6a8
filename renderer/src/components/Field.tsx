/** A labelled text field with the hub's message for it, when the last save was refused. */
export function Field({
  label,
  id,
  value,
  onChange,
  error,
  rows,
  mono,
  placeholder,
  type,
  autoComplete,
}: {
  label: string;
  id: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  rows?: number;
  mono?: boolean;
  placeholder?: string;
  type?: 'text' | 'password' | 'url';
  autoComplete?: string;
}) {
  const common = {
    id,
    value,
    placeholder,
    className: mono ? 'mono' : undefined,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  };
  return (
    <label className="grow">
      {label}
      {rows ? (
        <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={type ?? 'text'}
          autoComplete={autoComplete}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}
