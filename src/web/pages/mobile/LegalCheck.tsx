// Being written now (issue 3).
export function LegalCheckPage() {
  return <div>LegalCheck</div>;
}
