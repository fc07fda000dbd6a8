import { useState } from 'react';
import { useT } from '../i18n';

/** The desktop bridge, else the Clipboard API in a secure context, else a hidden textarea + copy command (LAN http). */
async function copyText(text: string): Promise<boolean> {
  // In the desktop app the preload bridge copies with the OS clipboard (electron/src/ipc-contract.ts).
  const desktop = (window as { teamhubDesktop?: { copyToClipboard(t: string): Promise<void> } })
    .teamhubDesktop;
  if (desktop) {
    try {
      await desktop.copyToClipboard(text);
      return true;
    } catch {
      // Fall through to the browser's ways.
    }
  }
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Fall through to the older way (e.g. permission denied).
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  return ok;
}

export function CopyButton({ text, label, id }: { text: string; label: string; id?: string }) {
  const t = useT();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      id={id}
      className="secondary copy"
      aria-label={label}
      onClick={async () => {
        setState((await copyText(text)) ? 'copied' : 'failed');
        setTimeout(() => setState('idle'), 2500);
      }}
    >
      {state === 'copied' ? t('copied') : state === 'failed' ? t('copyFailed') : t('copy')}
    </button>
  );
}
