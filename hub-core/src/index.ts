export { createHub, type Hub, type HubOptions, type Logger } from './hub.js';
export { loadConfig, ENV_VARS, type ConfigSources } from './config/load.js';
export { configSchema, type HubConfig, type ConfigInput } from './config/schema.js';
export { HubError } from './errors.js';
