// Placeholder while the public pages are written (issue 2); replaced in the same session.
export function HomePage() {
  return <div>Home</div>;
}
