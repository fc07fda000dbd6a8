// Rewrites the settings table in docs/configuration.md from the config schema.
import fs from 'node:fs';
import { configurationTable } from '../hub-core/src/config/docs.js';

const file = new URL('../docs/configuration.md', import.meta.url);
const text = fs.readFileSync(file, 'utf8');
const start = '<!-- settings:start -->';
const end = '<!-- settings:end -->';
const before = text.slice(0, text.indexOf(start) + start.length);
const after = text.slice(text.indexOf(end));
fs.writeFileSync(file, `${before}\n${configurationTable()}\n${after}`);
console.log('docs/configuration.md updated');
