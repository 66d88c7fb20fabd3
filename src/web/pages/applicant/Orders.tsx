// Being written now (issue 3).
export function OrdersPage() {
  return <div>Orders</div>;
}
