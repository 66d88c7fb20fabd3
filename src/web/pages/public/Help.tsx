// Placeholder while the public pages are written (issue 2); replaced in the same session.
export function HelpPage() {
  return <div>Help</div>;
}
