// Placeholder while the staff pages are written (issue 2); replaced in the same session.
export function StaffAccountsPage() {
  return <div>Accounts</div>;
}
