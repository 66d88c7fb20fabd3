/**
 * docs/WORKFLOW.md's state diagrams, drawn from the transition tables themselves (issue 18 item 8): the page
 * shows what the code does, and `workflow-diagram.test.ts` fails when a table changes and the page does not.
 * `npm run docs:diagrams` rewrites the blocks between the page's `<!-- diagram: name -->` markers.
 */
import { COUNTER_CLERKS, COUNTER_TRANSITIONS } from './counter.js';
import { TRANSITIONS } from './workflow.js';

interface Edge {
  from: string;
  to: string;
  label: string;
  who: string;
}

function mermaid(start: { to: string; label: string }, edges: readonly Edge[]): string {
  const lines = ['```mermaid', 'stateDiagram-v2', `  [*] --> ${start.to}: ${start.label}`];
  for (const e of edges) lines.push(`  ${e.from} --> ${e.to}: ${e.label} (${e.who})`);
  lines.push('```');
  return lines.join('\n');
}

const whoOnline = (by: (typeof TRANSITIONS)[number]['by']): string =>
  by === 'applicant' ? '申请人' : by === 'system' ? '系统' : by.join('/');

/** The diagrams by marker name. A row's guard is shown after its roles (modules/orders/guards.ts checks it). */
export const DIAGRAMS: Record<string, () => string> = {
  order: () =>
    mermaid(
      { to: 'draft', label: '新制申请 (申请人)' },
      TRANSITIONS.map((t) => ({
        from: t.from,
        to: t.to,
        label: t.label,
        who: whoOnline(t.by) + (t.guard ? `; guard ${t.guard}` : ''),
      })),
    ),
  counter: () =>
    mermaid(
      { to: 'submitted', label: `提交资料 (${COUNTER_CLERKS.join('/')})` },
      COUNTER_TRANSITIONS.map((t) => ({
        from: t.from,
        to: t.to,
        label: t.label,
        who: t.by.join('/') + (t.keyTypes ? `; ${t.keyTypes.join('/')} key` : '') + (t.needsReason ? '; reason' : ''),
      })),
    ),
};

// Blank lines around the block, as prettier formats markdown.
const BLOCK = /<!-- diagram: (\w+) -->\n+([\s\S]*?)\n+<!-- \/diagram -->/g;

/** The page with every marked block replaced by the diagram drawn from its table. */
export function withDiagrams(page: string): string {
  return page.replace(BLOCK, (whole, name: string) => {
    const draw = DIAGRAMS[name];
    return draw ? `<!-- diagram: ${name} -->\n\n${draw()}\n\n<!-- /diagram -->` : whole;
  });
}

/** The marker names a page holds (so a test can see that every diagram is on the page). */
export function diagramNames(page: string): string[] {
  return [...page.matchAll(BLOCK)].map((m) => m[1]!);
}
