/**
 * Money is counted in fen (integers), never in floating-point yuan. People type yuan; this converts the
 * text exactly ("190.5" → 19050) without passing through a float.
 */
export function yuanTextToFen(text: string): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** 22000 → "220.00" */
export function fenToYuanText(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
