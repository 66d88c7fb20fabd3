// Being written now (issue 4).
export function StaffSettingsPage() {
  return <div>StaffSettings</div>;
}
