import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatters, translate } from '../src/i18n';
import { en, zhCN } from '../src/messages';

const SRC = path.join(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) ? [fs.readFileSync(p, 'utf8')] : [];
  });
}

describe('UI strings', () => {
  const code = sources(SRC).join('\n');
  const literal = [...code.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)].map((m) => m[1] as string);
  const dynamic = [...code.matchAll(/\bt\(`([A-Za-z0-9]+_)\$\{/g)].map((m) => m[1] as string);

  it('every key the screens use exists in English', () => {
    expect(literal.length).toBeGreaterThan(100);
    expect(literal.filter((k) => !(k in en))).toEqual([]);
    for (const prefix of dynamic) expect(Object.keys(en).some((k) => k.startsWith(prefix))).toBe(true);
  });

  it('Simplified Chinese translates every English string (no copies left in English)', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    // Only names that are the same in both languages may stay identical.
    const same = Object.entries(en).filter(([k, v]) => zhCN[k as keyof typeof en] === v);
    expect(same.map(([k]) => k)).toEqual(['cpu']);
  });

  it('placeholders survive translation', () => {
    for (const [k, v] of Object.entries(en)) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => String(m[1])).sort();
      expect({ k, names: names(zhCN[k as keyof typeof en]) }).toEqual({ k, names: names(v) });
    }
    expect(translate('zh-CN', 'logsOf', { name: 'ann' })).toBe('ann 的日志');
    expect(translate('en', 'no-such-key')).toBe('no-such-key');
  });

  it('dates, durations, numbers and sizes follow the language', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const en1 = formatters('en', () => now);
    const zh = formatters('zh-CN', () => now);
    expect(en1.relative('2026-12-04T11:58:00Z')).toBe('2 minutes ago');
    expect(zh.relative('2026-12-04T11:58:00Z')).toBe('2分钟前');
    expect(en1.duration('2026-12-04T09:30:00Z')).toBe('2h 30m');
    expect(en1.number(12345.67)).toBe('12,345.7');
    expect(en1.bytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(en1.bytes(3 * 1024 ** 3)).toBe('3 GiB');
  });
});
