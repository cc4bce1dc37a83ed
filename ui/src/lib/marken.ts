/**
 * Start-up marks on the page's own clock (`performance.mark('amtsstube:<name>')`), read by
 * the performance bench (`tests/ui-bench`) to tell where the start time goes. Each name is
 * marked once; later calls are ignored.
 */
export function marke(name: string): void {
  const voll = `amtsstube:${name}`;
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  if (performance.getEntriesByName(voll, 'mark').length > 0) return;
  performance.mark(voll);
}
