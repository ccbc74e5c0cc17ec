export { buildApp, DOCS_PREFIX } from './app.ts';
export type { AppDeps } from './app.ts';
