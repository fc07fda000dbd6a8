import { z } from 'zod';
import { ENV_VARS } from './load.js';
import { configSchema } from './schema.js';

interface Row {
  key: string;
  type: string;
  default: string;
  env: string;
  description: string;
}

type AnyZod = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

// Peels optional/default/prefault wrappers, remembering the default and the first description seen.
function unwrap(t: AnyZod): { inner: AnyZod; defaultValue?: unknown; description?: string } {
  let node = t;
  let defaultValue: unknown;
  let description = node.description;
  for (;;) {
    const def = node._zod.def;
    if (def.type === 'default' && defaultValue === undefined) defaultValue = def.defaultValue;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') {
      node = def.innerType as AnyZod;
      description ??= node.description;
      continue;
    }
    return { inner: node, defaultValue, ...(description ? { description } : {}) };
  }
}

function typeName(t: AnyZod): string {
  const def = t._zod.def;
  if (def.type === 'array') return `list of ${typeName(def.element as AnyZod)}`;
  if (def.type === 'record') return 'map of string';
  if (def.type === 'enum') return Object.values(def.entries as Record<string, string>).join(' \\| ');
  if (def.type === 'pipe') return typeName(def.in as AnyZod);
  return def.type;
}

function rows(shape: Record<string, AnyZod>, prefix: string): Row[] {
  return Object.entries(shape).flatMap(([name, field]) => {
    const key = `${prefix}${name}`;
    const { inner, defaultValue, description } = unwrap(field);
    if (inner._zod.def.type === 'object') {
      const nested = rows((inner as unknown as z.ZodObject).shape as Record<string, AnyZod>, `${key}.`);
      return description ? [{ key, type: 'object', default: '', env: '', description }, ...nested] : nested;
    }
    // Lists of objects (several OpenID providers) document their fields as `key[].field`.
    const element =
      inner._zod.def.type === 'array' ? unwrap(inner._zod.def.element as AnyZod).inner : undefined;
    if (element?._zod.def.type === 'object') {
      const nested = rows((element as unknown as z.ZodObject).shape as Record<string, AnyZod>, `${key}[].`);
      const shownList = defaultValue === undefined ? '' : JSON.stringify(defaultValue);
      return [
        { key, type: 'list of object', default: shownList, env: '', description: description ?? '' },
        ...nested,
      ];
    }
    const env = Object.entries(ENV_VARS).find(([, v]) => v.key === key)?.[0] ?? '';
    const shown =
      key === 'dataDir'
        ? 'per-user data folder'
        : defaultValue === undefined
          ? ''
          : JSON.stringify(defaultValue);
    return [{ key, type: typeName(inner), default: shown, env, description: description ?? '' }];
  });
}

/** docs/configuration.md's settings table, generated from the schema so the two never disagree. */
export function configurationTable(): string {
  const all = rows(configSchema.shape as unknown as Record<string, AnyZod>, '');
  const head = '| setting | type | default | environment | meaning |\n|---|---|---|---|---|';
  const body = all.map(
    (r) =>
      `| \`${r.key}\` | ${r.type} | ${r.default ? `\`${r.default}\`` : ''} | ${r.env ? `\`${r.env}\`` : ''} | ${r.description} |`,
  );
  return [head, ...body].join('\n');
}
