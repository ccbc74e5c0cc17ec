export { resolveApiTokens, resolveUnsubscribeSecret, resolveWriteKeys } from './apiToken.ts';
export type { ApiTokens, WriteKeys } from './apiToken.ts';
export { describeEnvironment, environmentSchema, loadConfig, roles } from './environment.ts';
export type { Config, Environment, Role } from './environment.ts';
