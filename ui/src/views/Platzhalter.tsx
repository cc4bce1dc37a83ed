import type { RouteId } from '../routes';

const TEXTS: Record<Exclude<RouteId, 'einstellungen'>, string> = {
  posteingang: 'Es liegen keine Vorgänge vor. Neue Anträge erscheinen hier, sobald sie abgerufen wurden.',
  'meine-vorgaenge': 'Es liegen keine Vorgänge vor, für die Sie zuständig sind.',
};

/** Empty state of a page whose content arrives with later capabilities. */
export function Platzhalter({ route }: { route: Exclude<RouteId, 'einstellungen'> }) {
  return (
    <p className="empty" data-testid="empty-state">
      {TEXTS[route]}
    </p>
  );
}
