import type { RouteId } from '../routes';

const TEXTS: Record<Exclude<RouteId, 'einstellungen'>, string> = {
  posteingang: 'Es liegen keine Vorgänge vor. Neue Anträge erscheinen hier, sobald sie abgerufen wurden.',
  'meine-vorgaenge': 'Ihre Vorgänge zeigt der Posteingang in der Ansicht „Meine“ (Taste 2 im Posteingang).',
  team: 'Die Übersicht über Fristen und Auslastung des Teams erscheint hier, sobald Vorgänge vorliegen.',
};

/** Empty state of a page whose content arrives with later capabilities. */
export function Platzhalter({ route }: { route: Exclude<RouteId, 'einstellungen'> }) {
  return (
    <p className="empty" data-testid="empty-state">
      {TEXTS[route]}
    </p>
  );
}
