import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { createHub } from '../src/hub.js';

// Start-up problems with the data folder are one sentence naming it, never a raw errno.
const hubAt = (dataDir: string) => () =>
  createHub(loadConfig({ env: {}, overrides: { dataDir } }), { logger: () => undefined });

describe('the data folder', () => {
  it('a file in the way', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dd-')), 'file');
    fs.writeFileSync(file, 'x');
    expect(hubAt(file)).toThrow(
      `Cannot use ${file} as the data folder: a file with that name is in the way.`,
    );
    expect(hubAt(path.join(file, 'below'))).toThrow('part of the path is a file, not a folder');
  });

  it('a system folder', () => {
    expect(hubAt('/proc/teamhub')).toThrow('is inside a system folder');
  });

  it('a damaged database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-'));
    fs.writeFileSync(path.join(dir, 'teamhub.sqlite'), 'this is not a database, just text '.repeat(200));
    expect(hubAt(dir)).toThrow(
      `The database ${path.join(dir, 'teamhub.sqlite')} cannot be used (SQLITE_NOTADB`,
    );
    fs.rmSync(dir, { recursive: true });
  });
});
