/**
 * The dependency rule of DESIGN.md, enforced on every `npm test`:
 * - core, ports and events import nothing of the project (ports and events may use core);
 * - domain areas import core, ports, events (and themselves), never infra, http or the CLI;
 * - infra implements ports and is imported only by the composition roots (services/main.ts, the
 *   threads it starts, services/runnerThread.ts and services/projectorThread.ts, and the runner
 *   role both main and the runner thread run, services/runnerRole.ts), tests and benchmarks.
 */
const domain = '^(services/(ingest|leads|suggestions|demo)|journeys|projections)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-self-contained',
      comment: 'services/core imports nothing else of the project.',
      severity: 'error',
      from: { path: '^services/core/' },
      to: { path: '^(services|journeys|projections|infra)/', pathNot: '^services/core/' },
    },
    {
      name: 'ports-and-events-import-only-core',
      comment: 'Ports and the event catalogue depend on core at most.',
      severity: 'error',
      from: { path: '^services/(ports|events)/' },
      to: {
        path: '^(services|journeys|projections|infra)/',
        pathNot: ['^services/core/', '^services/ports/', '^services/events/'],
      },
    },
    {
      name: 'domain-imports-core-ports-events',
      comment: 'Domain areas see the world through ports: no adapters, no HTTP, no CLI, no composition root.',
      severity: 'error',
      from: { path: domain },
      to: { path: '^(infra/|services/(http|cli)/|services/main\\.ts$)' },
    },
    {
      name: 'infra-only-from-composition-root',
      comment: 'Adapters are picked in services/main.ts (and its runner thread); nothing else in the product imports them.',
      severity: 'error',
      from: { path: '^(services|journeys|projections)/', pathNot: '^services/(main|runnerRole|runnerThread|projectorThread)\\.ts$' },
      to: { path: '^infra/' },
    },
    {
      name: 'infra-does-not-reach-into-delivery',
      comment: 'Adapters implement ports; they do not use the HTTP layer, the CLI or main.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(services/(http|cli)/|services/main\\.ts$)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
