// Placeholder while the public pages are written (issue 2); replaced in the same session.
export function AgreementPage() {
  return <div>Agreement</div>;
}
