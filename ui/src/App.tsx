import { useCallback, useEffect, useRef, useState } from 'react';
import { KolAlert, KolHeading, KolNav, KolSkipNav } from '@public-ui/react';
import {
  appInfo,
  aufAktualisierungVerfuegbar,
  aufSyncStatus,
  jetztAbrufen,
  sitzung,
  syncStatus,
  type AktualisierungVerfuegbar,
  type AppInfo,
  type IpcError,
  type Sitzung,
  type SyncStatus,
} from './ipc';
import { marke } from './lib/marken';
import { befehlFuer, zielVon, type Befehl } from './lib/tasten';
import { hrefOf, hrefVorgang, ROUTES, routeFromHash, vorgangAusHash } from './routes';
import { Einstellungen } from './views/Einstellungen';
import { Fehler } from './views/Fehler';
import { Hilfe } from './views/Hilfe';
import { Platzhalter } from './views/Platzhalter';
import { Posteingang } from './views/Posteingang';
import { SyncBereich } from './views/SyncBereich';
import { Vorgang } from './views/Vorgang';

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return hash;
}

type InfoState = { kind: 'loading' } | { kind: 'ok'; info: AppInfo } | { kind: 'error'; error: IpcError };

const ROLLEN = {
  sachbearbeitung: 'Sachbearbeitung',
  zeichnungsbefugt: 'Zeichnungsbefugt',
  teamleitung: 'Teamleitung',
} as const;

/** „Jördis Weißgerber (Sachbearbeitung, Zeichnungsbefugt)“; in Demo-Modus with who the environment chose. */
function kopfzeile(wer: Sitzung): string {
  const rollen = (wer.rollen.length > 0 ? wer.rollen : [wer.rolle]).map((r) => ROLLEN[r]).join(', ');
  const text = `${wer.anzeigename} (${rollen})`;
  return wer.demo ? `Demo-Modus · angemeldet als ${text}` : text;
}

export function App() {
  const hash = useHash();
  const route = routeFromHash(hash);
  const vorgangId = vorgangAusHash(hash);
  const [state, setState] = useState<InfoState>({ kind: 'loading' });
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [neueVersion, setNeueVersion] = useState<AktualisierungVerfuegbar | null>(null);
  useEffect(() => aufAktualisierungVerfuegbar(setNeueVersion), []);
  const [wer, setWer] = useState<Sitzung | null>(null);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [hilfe, setHilfe] = useState(false);
  const befehleRef = useRef<((b: Befehl) => boolean) | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = (attempt: number) => {
      appInfo().then(
        (info) => {
          if (cancelled) return;
          marke('info');
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

  const bereit = state.kind === 'ok';
  useEffect(() => {
    if (!bereit) return;
    syncStatus().then(setSync, (e: IpcError) => setFehler(e));
    sitzung().then(setWer, (e: IpcError) => setFehler(e));
    return aufSyncStatus(setSync);
  }, [bereit]);

  const abrufen = useCallback(() => {
    jetztAbrufen().then(
      (s) => {
        setSync(s);
        setFehler(null);
      },
      (e: IpcError) => setFehler(e),
    );
  }, []);

  const oeffnen = useCallback((id: string) => {
    window.location.hash = hrefVorgang(id);
  }, []);
  const zurueck = useCallback(() => {
    window.location.hash = hrefOf('posteingang');
  }, []);

  // One keyboard dispatcher for the whole window; the active view handles its own commands.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || document.querySelector('dialog[open]')) return;
      const kontext = vorgangId === null && (route === 'posteingang' || route === 'meine-vorgaenge') ? 'posteingang' : 'vorgang';
      const b = befehlFuer(e, kontext, zielVon(document.activeElement));
      if (!b) return;
      let erledigt = false;
      if (b === 'hilfe') {
        setHilfe(true);
        erledigt = true;
      } else if (b === 'abrufen') {
        if (bereit) abrufen();
        erledigt = true;
      } else {
        erledigt = befehleRef.current?.(b) ?? false;
      }
      if (erledigt) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [route, vorgangId, bereit, abrufen]);

  const current = ROUTES.find((r) => r.id === route) ?? ROUTES[0]!;
  const demo = state.kind === 'ok' && state.info.connection.kind === 'demo';
  const titel = vorgangId ? 'Vorgang' : current.title;
  // „Meine Vorgänge“ is the Posteingang's view „Meine“, not a page of its own.
  const queueAktiv = vorgangId === null && (route === 'posteingang' || route === 'meine-vorgaenge');

  useEffect(() => {
    document.title = `${titel} – Amtsstube`;
  }, [titel]);

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
        {wer && (
          <span className="benutzer" data-testid="benutzer" title={wer.herkunft}>
            {kopfzeile(wer)}
          </span>
        )}
        <SyncBereich state={state} sync={sync} onAbrufen={abrufen} />
        <button type="button" className="knopf hilfe-knopf" onClick={() => setHilfe(true)} aria-keyshortcuts="?" data-testid="hilfe-oeffnen">
          Tastenkürzel (?)
        </button>
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
      {neueVersion && (
        <div className="hinweis-banner" data-testid="aktualisierung-hinweis">
          <KolAlert _type="info" _variant="card" _label="Neue Version verfügbar" _level={0}>
            Amtsstube {neueVersion.version} ist verfügbar (Sie arbeiten mit {neueVersion.aktuelleVersion}, Kanal{' '}
            {neueVersion.kanal}). Sie wird nicht ohne Zustimmung installiert; Ihre IT spielt sie ein. Sie können
            weiterarbeiten.
          </KolAlert>
        </div>
      )}
      {sync?.pruefprotokoll && (
        <div className="error-banner" data-testid="pruefprotokoll-warnung">
          <KolAlert _type="error" _variant="card" _label="Prüfprotokoll beschädigt" _level={0} _alert>
            {sync.pruefprotokoll}
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
      {fehler && (
        <div className="error-banner">
          <Fehler fehler={fehler} />
        </div>
      )}

      <div className="body">
        <nav className="sidebar" aria-label="Hauptnavigation" data-testid="nav">
          <KolNav
            _label="Hauptnavigation"
            _links={ROUTES.map((r) => ({ _label: r.label, _href: hrefOf(r.id), _active: vorgangId === null && r.id === route }))}
          />
        </nav>
        <main id="inhalt" className="content" tabIndex={-1} data-testid="content">
          <KolHeading _level={1} _label={titel} data-testid="page-title" />
          {state.kind === 'ok' && (
            <div hidden={!queueAktiv} className="queue-huelle">
              <Posteingang
                aktiv={queueAktiv}
                vorgabe={route === 'meine-vorgaenge' ? 'meine' : null}
                onOeffnen={oeffnen}
                befehleRef={befehleRef}
              />
            </div>
          )}
          {vorgangId !== null ? (
            state.kind === 'ok' ? (
              <Vorgang key={vorgangId} id={vorgangId} onZurueck={zurueck} befehleRef={befehleRef} />
            ) : null
          ) : route === 'einstellungen' ? (
            <Einstellungen state={state} />
          ) : state.kind === 'error' ? (
            <p className="empty">Ohne geöffnetes Profil können keine Vorgänge angezeigt werden.</p>
          ) : route === 'posteingang' || route === 'meine-vorgaenge' ? (
            state.kind === 'loading' ? (
              <p>Posteingang wird geladen …</p>
            ) : null
          ) : (
            <Platzhalter route={route} />
          )}
        </main>
      </div>
      <footer className="app-footer" data-testid="footer">
        {state.kind === 'ok' ? `${state.info.product} ${state.info.version}` : 'Amtsstube'}
      </footer>
      {hilfe && <Hilfe onSchliessen={() => setHilfe(false)} />}
    </div>
  );
}
