import { createContext, useContext, useMemo, useState } from 'react';
import { en, type MessageKey, zhCN } from './messages';

export type Lang = 'en' | 'zh-CN';
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];
const DICTS: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'teamhub.lang';

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

export function translate(lang: Lang, key: string, params: Params = {}): string {
  const dict = DICTS[lang] as Record<string, string>;
  const text = dict[key] ?? (en as Record<string, string>)[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: Translate;
}

const Ctx = createContext<I18n>({ lang: 'en', setLang: () => undefined, t: (k, p) => translate('en', k, p) });

export function I18nProvider({ children }: { children: React.ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang: (l) => {
        localStorage.setItem(STORAGE_KEY, l);
        setLangState(l);
      },
      t: (k, p) => translate(lang, k, p),
    }),
    [lang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useI18n = () => useContext(Ctx);
export const useT = () => useContext(Ctx).t;

/** Dates, durations, numbers and sizes in the chosen language's conventions. */
export function formatters(lang: Lang, now = () => Date.now()) {
  const dateFmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const timeFmt = new Intl.DateTimeFormat(lang, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  const rel = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const num = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  return {
    date: (iso: string) => dateFmt.format(new Date(iso)),
    time: (iso: string) => timeFmt.format(new Date(iso)),
    number: (n: number) => num.format(n),
    relative: (iso: string) => {
      const secs = Math.round((new Date(iso).getTime() - now()) / 1000);
      for (const [unit, size] of units) {
        if (Math.abs(secs) >= size || unit === 'second') return rel.format(Math.round(secs / size), unit);
      }
      return rel.format(0, 'second');
    },
    duration: (sinceIso: string) => {
      let secs = Math.max(0, Math.round((now() - new Date(sinceIso).getTime()) / 1000));
      const parts: string[] = [];
      for (const [unit, size] of units.slice(0, 3)) {
        const n = Math.floor(secs / size);
        secs -= n * size;
        if (n || (unit === 'minute' && !parts.length)) {
          parts.push(new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'narrow' }).format(n));
        }
      }
      return parts.slice(0, 2).join(' ');
    },
    bytes: (n: number) => {
      const mib = n / 1024 / 1024;
      return mib >= 1024
        ? `${num.format(mib / 1024)} GiB`
        : `${new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(mib)} MiB`;
    },
  };
}

export function useFormat() {
  const { lang } = useI18n();
  return useMemo(() => formatters(lang), [lang]);
}
