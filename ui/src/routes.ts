// Hash routes of the app frame. Hash routing works the same under Tauri's custom protocol on
// every platform and needs no server.

// „Team“ (the team lead's view) comes with its issue; until then there is no placeholder to reach.
export type RouteId = 'posteingang' | 'meine-vorgaenge' | 'einstellungen';

export interface Route {
  id: RouteId;
  label: string;
  title: string;
}

export const ROUTES: readonly Route[] = [
  { id: 'posteingang', label: 'Posteingang', title: 'Posteingang' },
  { id: 'meine-vorgaenge', label: 'Meine Vorgänge', title: 'Meine Vorgänge' },
  { id: 'einstellungen', label: 'Einstellungen', title: 'Einstellungen' },
];

export const DEFAULT_ROUTE: RouteId = 'posteingang';

/** The route a location hash names; unknown or empty hashes lead to the Posteingang. */
export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return ROUTES.some((r) => r.id === id) ? (id as RouteId) : DEFAULT_ROUTE;
}

export function hrefOf(id: RouteId): string {
  return `#/${id}`;
}

/** The case a hash opens (`#/vorgang/<id>`), or null. */
export function vorgangAusHash(hash: string): string | null {
  const m = /^#\/?vorgang\/([^/?]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]!) : null;
}

export function hrefVorgang(id: string): string {
  return `#/vorgang/${encodeURIComponent(id)}`;
}
