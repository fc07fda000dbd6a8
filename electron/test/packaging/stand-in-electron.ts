import fs from 'node:fs';
import path from 'node:path';

/** What @electron/fuses looks for in an Electron binary, followed by the fuse wire. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
export const FUSES = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
] as const;

/**
 * A stand-in Electron dist for electron-builder (the real binary cannot be downloaded here): an
 * `electron` executable that carries a fuse wire, version 1, every fuse on, as a real one does.
 */
export function makeStandInElectronDist(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const wire = Buffer.concat([
    Buffer.from(`#!/bin/sh\necho 'stand-in Electron: not runnable' >&2\nexit 1\n# ${FUSE_SENTINEL}`),
    Buffer.from([1, FUSES.length]),
    Buffer.from('1'.repeat(FUSES.length)),
    Buffer.from('\n'),
  ]);
  fs.writeFileSync(path.join(dir, 'electron'), wire, { mode: 0o755 });
  return dir;
}

/** Reads the fuse states ('0' off, '1' on) back from a packaged binary. */
export function readFuses(binary: string): Record<(typeof FUSES)[number], string> {
  const bytes = fs.readFileSync(binary);
  const at = bytes.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`${binary} has no fuse wire`);
  const start = at + FUSE_SENTINEL.length + 2;
  return Object.fromEntries(FUSES.map((name, i) => [name, String.fromCharCode(bytes[start + i]!)])) as Record<
    (typeof FUSES)[number],
    string
  >;
}
