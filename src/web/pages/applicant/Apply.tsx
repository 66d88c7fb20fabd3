// Being written now (issue 3).
export function ApplyPage() {
  return <div>Apply</div>;
}
