// Being written now (issue 4).
export function StaffOrderPage() {
  return <div>StaffOrder</div>;
}
