// Being written now (issue 4).
export function StaffInvoicesPage() {
  return <div>StaffInvoices</div>;
}
