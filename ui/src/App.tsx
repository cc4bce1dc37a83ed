import { useEffect, useState } from 'react';
import { KolAlert, KolHeading, KolNav, KolSkipNav } from '@public-ui/react';
import { appInfo, type AppInfo, type IpcError } from './ipc';
import { hrefOf, ROUTES, routeFromHash, type RouteId } from './routes';
import { Einstellungen } from './views/Einstellungen';
import { Platzhalter } from './views/Platzhalter';

function useRoute(): RouteId {
  const [route, setRoute] = useState<RouteId>(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

type InfoState = { kind: 'loading' } | { kind: 'ok'; info: AppInfo } | { kind: 'error'; error: IpcError };

export function App() {
  const route = useRoute();
  const [state, setState] = useState<InfoState>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (attempt: number) => {
      appInfo().then(
        (info) => {
          if (cancelled) return;
          setState({ kind: 'ok', info });
          // Demo-Modus starts its simulator in the background; ask again until it listens.
          if (info.connection.kind === 'demo' && info.connection.simulator_url === null && attempt < 30) {
            timer = setTimeout(() => load(attempt + 1), 1000);
          }
        },
        (error: IpcError) => {
          if (!cancelled) setState({ kind: 'error', error });
        },
      );
    };
    load(0);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);

  const current = ROUTES.find((r) => r.id === route) ?? ROUTES[0]!;
  const demo = state.kind === 'ok' && state.info.connection.kind === 'demo';

  useEffect(() => {
    document.title = `${current.title} – Amtsstube`;
  }, [current]);

  return (
    <div className="frame">
      <div className="skip">
        <KolSkipNav _label="Sprunglinks" _links={[{ _label: 'Zum Inhalt springen', _href: '#inhalt' }]} />
      </div>
      <header className="app-header">
        <span className="product" data-testid="product">
          Amtsstube
        </span>
        <span className="subtitle">Vorgangsbearbeitung</span>
        <div className="sync-status" role="status" aria-live="polite" data-testid="sync-status">
          {state.kind === 'loading' && 'Verbindung wird geprüft …'}
          {state.kind === 'error' && 'Profil nicht geöffnet'}
          {state.kind === 'ok' &&
            (demo
              ? state.info.connection.kind === 'demo' && state.info.connection.simulator_url
                ? 'Demo-Modus · Simulator bereit'
                : 'Demo-Modus · Simulator startet …'
              : `Verbunden mit ${state.info.connection.kind === 'live' ? state.info.connection.base_url : ''}`)}
        </div>
      </header>

      {demo && (
        <div className="demo-banner" data-testid="demo-banner">
          <KolAlert _type="warning" _variant="card" _label="Demo-Modus" _level={0}>
            Diese Sitzung ist eine Demonstration. Anträge kommen vom eingebauten Simulator, nicht
            von einem echten Zustelldienst. Geben Sie keine echten Daten von Bürgerinnen und
            Bürgern ein.
          </KolAlert>
        </div>
      )}
      {state.kind === 'error' && (
        <div className="error-banner" data-testid="error-banner">
          <KolAlert _type="error" _variant="card" _label="Fehler" _level={0} _alert>
            {state.error.message}
          </KolAlert>
        </div>
      )}

      <div className="body">
        <nav className="sidebar" aria-label="Hauptnavigation" data-testid="nav">
          <KolNav
            _label="Hauptnavigation"
            _links={ROUTES.map((r) => ({ _label: r.label, _href: hrefOf(r.id), _active: r.id === route }))}
          />
        </nav>
        <main id="inhalt" className="content" tabIndex={-1} data-testid="content">
          <KolHeading _level={1} _label={current.title} data-testid="page-title" />
          {route === 'einstellungen' ? (
            <Einstellungen state={state} />
          ) : state.kind === 'error' ? (
            <p className="empty">Ohne geöffnetes Profil können keine Vorgänge angezeigt werden.</p>
          ) : (
            <Platzhalter route={route} />
          )}
        </main>
      </div>
      <footer className="app-footer" data-testid="footer">
        {state.kind === 'ok' ? `${state.info.product} ${state.info.version}` : 'Amtsstube'}
      </footer>
    </div>
  );
}
