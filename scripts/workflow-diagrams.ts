/** `npm run docs:diagrams`: redraws docs/WORKFLOW.md's state diagrams from the transition tables. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withDiagrams } from '../src/core/workflow-diagram.js';

const page = fileURLToPath(new URL('../docs/WORKFLOW.md', import.meta.url));
const before = readFileSync(page, 'utf8');
const after = withDiagrams(before);
if (after !== before) writeFileSync(page, after);
console.log(after === before ? 'docs/WORKFLOW.md: diagrams already current' : 'docs/WORKFLOW.md: diagrams redrawn');
