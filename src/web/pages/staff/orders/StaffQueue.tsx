// Being written now (issue 4).
export function StaffQueuePage() {
  return <div>StaffQueue</div>;
}
