/** 试用电子签章: the organization's seal stamped on a sample PDF page. */
export function SealTryPage() {
  return null;
}
