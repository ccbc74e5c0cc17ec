#!/usr/bin/env node
// The `nudge` command. In a checkout it runs the TypeScript source directly (Node >= 22.18 strips
// types); an installed package runs the compiled dist/ (Node refuses to strip types under
// node_modules). Either way the code is the same: services/main.ts.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`nudge: Node.js ${process.versions.node} is too old; Nudge needs Node.js >= 22.12 (24 LTS recommended).`);
  process.exit(1);
}

const source = new URL('../services/main.ts', import.meta.url);
const compiled = new URL('../dist/services/main.js', import.meta.url);
const fromSource = existsSync(source) && process.features.typescript && !import.meta.url.includes('/node_modules/');
if (!fromSource && !existsSync(compiled)) {
  console.error('nudge: this Node.js cannot run TypeScript directly and dist/ is missing: run `npm run build`, or use Node.js 24.');
  process.exit(1);
}
const { run } = await import(fromSource ? source.href : compiled.href);
process.exitCode = await run(process.argv);
