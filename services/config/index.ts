export { resolveApiTokens, resolveUnsubscribeSecret, resolveWriteKeys } from './apiToken.ts';
export type { ApiTokens, WriteKeys } from './apiToken.ts';
export { describeEnvironment, environmentSchema, loadConfig } from './environment.ts';
export type { Config, Environment } from './environment.ts';
