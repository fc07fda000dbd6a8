export function ProgressBar({ value, label, message }: { value: number; label: string; message: string }) {
  return (
    <div className="progress">
      <progress id="spawn-progress" max={100} value={value} aria-label={label} />
      {/* The message line keeps its height so the page does not jump as messages change. */}
      <p className="progress-message muted" aria-live="polite">
        {message || '\u00a0'}
      </p>
    </div>
  );
}
