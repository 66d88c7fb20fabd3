import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COUNTER_TRANSITIONS } from './counter.js';
import { DIAGRAMS, diagramNames, withDiagrams } from './workflow-diagram.js';
import { TRANSITIONS } from './workflow.js';

const page = readFileSync(new URL('../../docs/WORKFLOW.md', import.meta.url), 'utf8');

describe('docs/WORKFLOW.md diagrams', () => {
  it('holds every diagram, each drawn from the current transition table (npm run docs:diagrams redraws them)', () => {
    expect(diagramNames(page).sort()).toEqual(Object.keys(DIAGRAMS).sort());
    expect(withDiagrams(page)).toBe(page);
  });

  it.each([
    ['order', TRANSITIONS.length + 1],
    ['counter', COUNTER_TRANSITIONS.length + 1],
  ])('the %s diagram has one edge per table row, plus the start', (name, edges) => {
    expect(
      DIAGRAMS[name]!()
        .split('\n')
        .filter((l) => l.includes('-->')),
    ).toHaveLength(edges);
  });

  it('a changed table row changes the diagram: the page would then fail the first test', () => {
    const drawn = DIAGRAMS.order!();
    expect(drawn).toContain('produced --> shipped: 发放（顺丰寄出） (发放; guard seals_ready)');
    expect(drawn).toContain('submitted --> review_passed: 预审通过 (预审)');
    const stale = page.replace('submitted --> review_passed: 预审通过 (预审)', 'submitted --> review_passed: 预审通过 (受理)');
    expect(stale).not.toBe(page);
    expect(withDiagrams(stale)).toBe(page);
  });

  it('leaves a page without markers, and an unknown marker, as they are', () => {
    expect(withDiagrams('# x\n')).toBe('# x\n');
    const unknown = '<!-- diagram: nosuch -->\n\nold\n\n<!-- /diagram -->';
    expect(withDiagrams(unknown)).toBe(unknown);
  });
});
