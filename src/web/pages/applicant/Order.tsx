// Being written now (issue 3).
export function OrderPage() {
  return <div>Order</div>;
}
