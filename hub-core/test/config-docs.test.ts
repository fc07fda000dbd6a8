import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationTable } from '../src/config/docs.js';

describe('docs/configuration.md', () => {
  it('lists exactly the settings the schema has (regenerate with: node --import tsx scripts/gen-config-docs.ts)', () => {
    const doc = fs.readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toContain(configurationTable());
    expect(configurationTable()).toContain('`docker.image`');
  });
});
