import { closeMatches, didYouMean, listOf } from './closeMatches.ts';
import type { DocumentIssue, DocumentKey } from './journeyIssue.ts';
import { documentError } from './journeyIssue.ts';
import type { JourneyDocument, JourneyNode } from './journeySchema.ts';

/**
 * The journey as a graph of nodes: every reference names a node, every node can be reached from
 * `start`, and every walk reaches a wait or an exit in a bounded number of steps. Branch and
 * suggest nodes run at once, one after another, until a wait or an exit; a cycle without a wait
 * would run forever, so the interpreter stops a walk after `MAX_WALK_NODES` and the validator
 * refuses any journey that could get there.
 */

/**
 * Most nodes one walk may run, the wait or exit it stops at included. Must equal the
 * interpreter's `MAX_WALK` (journeys/interpreter/interpreter.ts).
 */
export const MAX_WALK_NODES = 50;

/**
 * More nodes than any journey a person maintains; the graph checks recurse once per node, so a
 * generated document with tens of thousands would exhaust the stack instead of getting an answer.
 */
export const MAX_NODES = 500;

/** One reference from a node to another, and the document path of the field that makes it. */
export interface NodeEdge {
  readonly from: string;
  readonly to: string;
  readonly at: readonly DocumentKey[];
}

export function nodeEdges(id: string, node: JourneyNode): NodeEdge[] {
  const at = (...keys: DocumentKey[]): DocumentKey[] => ['nodes', id, ...keys];
  switch (node.type) {
    case 'branch':
      return [...node.branches.map((branch, index) => ({ from: id, to: branch.next, at: at('branches', index, 'next') })), { from: id, to: node.otherwise, at: at('otherwise') }];
    case 'suggest':
      return [{ from: id, to: node.next, at: at('next') }];
    case 'wait':
      return [{ from: id, to: node.next, at: at('next') }, ...(node.onTimeout === undefined ? [] : [{ from: id, to: node.onTimeout, at: at('onTimeout') }])];
    case 'exit':
      return [];
    default: {
      const unknown: never = node;
      throw new TypeError(`unknown node type in ${JSON.stringify(unknown)}`);
    }
  }
}

export function graphIssues(doc: JourneyDocument): DocumentIssue[] {
  const ids = Object.keys(doc.nodes);
  if (ids.length > MAX_NODES) return [documentError(['nodes'], `has ${ids.length} nodes: a journey has at most ${MAX_NODES}; split it into several journeys`, 'key')];
  const edges = new Map(ids.map((id) => [id, nodeEdges(id, doc.nodes[id]!)]));
  const exists = (id: string): boolean => Object.hasOwn(doc.nodes, id);
  const missing = (id: string): string => `no node named ${id}${didYouMean(id, ids) || `: the nodes are ${listOf(ids)}`}`;
  const issues: DocumentIssue[] = [];
  if (!exists(doc.start)) issues.push(documentError(['start'], missing(doc.start)));
  for (const edge of [...edges.values()].flat()) {
    if (!exists(edge.to)) issues.push(documentError(edge.at, missing(edge.to)));
  }
  if (exists(doc.start)) issues.push(...unreachable(doc, edges));
  const cycles = waitFreeCycles(doc, edges);
  issues.push(...cycles);
  if (cycles.length === 0) issues.push(...longWalks(doc, edges));
  return issues;
}

type Edges = ReadonlyMap<string, readonly NodeEdge[]>;

/**
 * Nodes no path from `start` reaches. A misspelt `next` is followed to the node it was probably
 * meant for: that node is not reported as unreachable too, the typo is the one thing to fix.
 */
function unreachable(doc: JourneyDocument, edges: Edges): DocumentIssue[] {
  const ids = [...edges.keys()];
  const seen = new Set([doc.start]);
  const queue = [doc.start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const edge of edges.get(id) ?? []) {
      const to = edges.has(edge.to) ? edge.to : closeMatches(edge.to, ids)[0];
      if (to !== undefined && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return [...edges.keys()]
    .filter((id) => !seen.has(id))
    .map((id) => documentError(['nodes', id], `is never reached: no path from start (${doc.start}) leads to it; point a next at it or remove it`, 'key'));
}

/**
 * Cycles among branch, suggest and exit nodes only (a cycle through a wait is how a journey
 * repeats something every two weeks, and is fine). Tarjan's strongly connected components: one
 * issue per component, at the reference that closes the cycle's first step.
 */
function waitFreeCycles(doc: JourneyDocument, edges: Edges): DocumentIssue[] {
  const runsAtOnce = (id: string): boolean => doc.nodes[id] !== undefined && doc.nodes[id].type !== 'wait';
  const next = (id: string): NodeEdge[] => (edges.get(id) ?? []).filter((edge) => runsAtOnce(edge.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (id: string): void => {
    index.set(id, index.size);
    low.set(id, index.get(id)!);
    stack.push(id);
    onStack.add(id);
    for (const { to } of next(id)) {
      if (!index.has(to)) {
        connect(to);
        low.set(id, Math.min(low.get(id)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(id, Math.min(low.get(id)!, index.get(to)!));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      components.push(component);
    }
  };
  for (const id of edges.keys()) if (runsAtOnce(id) && !index.has(id)) connect(id);

  const order = [...edges.keys()];
  return components
    .filter((component) => component.length > 1 || next(component[0]!).some((edge) => edge.to === component[0]))
    .map((component) => {
      const members = new Set(component);
      const first = order.find((id) => members.has(id))!;
      const cycle = cycleThrough(first, members, next);
      const closing = next(first).find((edge) => edge.to === (cycle[1] ?? first))!;
      return documentError(closing.at, `${cycle.join(' → ')} never waits: a lead would loop forever; put a wait in the cycle`);
    });
}

/** A path first → … → first inside one component (breadth-first: the shortest). */
function cycleThrough(first: string, members: ReadonlySet<string>, next: (id: string) => NodeEdge[]): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [first];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const { to } of next(id)) {
      if (!members.has(to)) continue;
      if (to === first) {
        const path = [first];
        for (let step: string | undefined = id; step !== first && step !== undefined; step = cameFrom.get(step)) path.splice(1, 0, step);
        return [...path, first];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, id);
        queue.push(to);
      }
    }
  }
  return [first, first];
}

/**
 * Walks start at `start` and after each wait (its `next` and `onTimeout`). With no wait-free
 * cycle the nodes that run at once form a DAG, so the longest walk from each is a memoised
 * depth: 1 for a wait or an exit (where the walk stops), 1 + the longest next otherwise.
 */
function longWalks(doc: JourneyDocument, edges: Edges): DocumentIssue[] {
  const longest = new Map<string, { length: number; path: string[] }>();
  const measure = (id: string): { length: number; path: string[] } => {
    const known = longest.get(id);
    if (known) return known;
    const node = doc.nodes[id];
    let result = { length: 0, path: [] as string[] };
    if (node !== undefined && (node.type === 'wait' || node.type === 'exit')) result = { length: 1, path: [id] };
    else if (node !== undefined) {
      const deepest = (edges.get(id) ?? []).map((edge) => measure(edge.to)).sort((a, b) => b.length - a.length)[0];
      result = { length: 1 + (deepest?.length ?? 0), path: [id, ...(deepest?.path ?? [])] };
    }
    longest.set(id, result);
    return result;
  };
  const entries = new Set([doc.start]);
  for (const [id, node] of Object.entries(doc.nodes)) {
    if (node.type === 'wait') for (const edge of edges.get(id) ?? []) entries.add(edge.to);
  }
  const worst = [...entries]
    .filter((id) => doc.nodes[id] !== undefined)
    .map((id) => ({ id, ...measure(id) }))
    .sort((a, b) => b.length - a.length)[0];
  if (worst === undefined || worst.length <= MAX_WALK_NODES) return [];
  const shown = worst.path.length > 6 ? [...worst.path.slice(0, 3), '…', ...worst.path.slice(-2)] : worst.path;
  return [
    documentError(
      ['nodes', worst.id],
      `a walk from here runs ${worst.length} nodes without a wait (${shown.join(' → ')}); a walk stops after ${MAX_WALK_NODES}: put a wait in between`,
      'key',
    ),
  ];
}
