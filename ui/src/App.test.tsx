import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AktualisierungVerfuegbar, AppInfo, QueueAnfrage, QueueAntwort, Sitzung, SyncStatus } from './ipc';

const ipc = vi.hoisted(() => ({
  appInfo: vi.fn<() => Promise<AppInfo>>(),
  sitzung: vi.fn<() => Promise<Sitzung>>(() =>
    Promise.resolve({
      benutzer: 'sb1',
      anzeigename: 'Sabine Beispiel',
      rolle: 'sachbearbeitung',
      rollen: ['sachbearbeitung'],
      demo: false,
      herkunft: 'Anmeldung des Betriebssystems (sb1); keine Rollenzuordnung /etc/amtsstube/rollen.toml: nur Sachbearbeitung',
      heute: '2026-12-01',
    }),
  ),
  syncStatus: vi.fn<() => Promise<SyncStatus>>(() =>
    Promise.resolve({ laeuft: false, fertig: 0, gesamt: 0, letzter_abruf: null, offline: false, meldung: null, outbox: 0, neue_vorgaenge: 0 }),
  ),
  jetztAbrufen: vi.fn(),
  aufSyncStatus: vi.fn(() => () => undefined),
  aufAktualisierungVerfuegbar: vi.fn<(h: (a: AktualisierungVerfuegbar) => void) => () => void>(() => () => undefined),
  aufVorgaengeGeaendert: vi.fn(() => () => undefined),
  ansichtZahlen: vi.fn(() => Promise.resolve({ neu: 0, meine: 0, faellig: 0, ueberfaellig: 0, wiedervorlage_heute: 0, alle: 0, ansichten: [] })),
  posteingang: vi.fn<(a: QueueAnfrage) => Promise<QueueAntwort>>(() => Promise.resolve({ zeilen: [], gesamt: 0, offset: 0 })),
  gespeicherteFilter: vi.fn(() => Promise.resolve([])),
  filterSpeichern: vi.fn(),
  filterLoeschen: vi.fn(),
  mirZuweisen: vi.fn(),
  vorgang: vi.fn<(id: string) => Promise<unknown>>(),
  vorgangAktion: vi.fn(),
  notizHinzufuegen: vi.fn(),
  anlageSpeichern: vi.fn(),
}));
vi.mock('./ipc', () => ipc);

import { App } from './App';

const demoInfo: AppInfo = {
  product: 'Amtsstube',
  version: '0.1.0',
  profile_dir: '/home/sb/.local/share/amtsstube',
  connection: { kind: 'demo', simulator_url: null },
  richtlinie: { datei: '/etc/amtsstube/policy.toml', vorhanden: false, festlegungen: [] },
};

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('App frame', () => {
  it('shows a broken audit chain the start-up check found, and nothing when it is sound', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    ipc.syncStatus.mockResolvedValueOnce({
      laeuft: false,
      fertig: 0,
      gesamt: 0,
      letzter_abruf: null,
      offline: false,
      meldung: null,
      outbox: 0,
      neue_vorgaenge: 0,
      pruefprotokoll: 'Das Prüfprotokoll ist beschädigt (ab Eintrag 2): verändert. Bitte verständigen Sie die IT.',
    });
    render(<App />);
    expect((await screen.findByTestId('pruefprotokoll-warnung')).textContent).toContain('ab Eintrag 2');
    cleanup();
    render(<App />);
    await screen.findByTestId('demo-banner');
    expect(screen.queryByTestId('pruefprotokoll-warnung')).toBeNull();
  });

  it('shows the Demo-Modus banner when no integration service is configured', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    render(<App />);
    expect(await screen.findByTestId('demo-banner')).toHaveProperty('textContent', expect.stringContaining('Demonstration'));
    expect(screen.getByTestId('sync-status').textContent).toContain('Demo-Modus');
    expect((await screen.findByTestId('letzter-abruf')).textContent).toContain('Noch nicht abgerufen');
    expect((await screen.findByTestId('empty-state')).textContent).toContain('keine Vorgänge');
  });

  it('shows who acts with all their roles, and where that comes from as the tooltip', async () => {
    ipc.appInfo.mockResolvedValue({ ...demoInfo, connection: { kind: 'live', base_url: 'https://zustelldienst.example/' } });
    ipc.sitzung.mockResolvedValueOnce({
      benutzer: 'jweissgerber',
      anzeigename: 'Jördis Weißgerber',
      rolle: 'zeichnungsbefugt',
      rollen: ['sachbearbeitung', 'zeichnungsbefugt'],
      demo: false,
      herkunft: 'Anmeldung des Betriebssystems (jweissgerber); Rollen aus /etc/amtsstube/rollen.toml',
      heute: '2026-12-01',
    });
    render(<App />);
    const wer = await screen.findByTestId('benutzer');
    expect(wer.textContent).toBe('Jördis Weißgerber (Sachbearbeitung, Zeichnungsbefugt)');
    expect(wer.getAttribute('title')).toBe('Anmeldung des Betriebssystems (jweissgerber); Rollen aus /etc/amtsstube/rollen.toml');
  });

  it('says in Demo-Modus who the session is signed in as', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    ipc.sitzung.mockResolvedValueOnce({
      benutzer: 'tleitung',
      anzeigename: 'Tom Leitung',
      rolle: 'teamleitung',
      rollen: ['teamleitung'],
      demo: true,
      herkunft: 'Demo-Modus: Benutzer aus AMTSSTUBE_BENUTZER (tleitung); Rollen aus AMTSSTUBE_ROLLE',
      heute: '2026-12-01',
    });
    render(<App />);
    const wer = await screen.findByTestId('benutzer');
    expect(wer.textContent).toBe('Demo-Modus · angemeldet als Tom Leitung (Teamleitung)');
    expect(wer.getAttribute('title')).toContain('AMTSSTUBE_BENUTZER');
  });

  it('„Meine Vorgänge“ in the navigation is the Posteingang in the view „Meine“, no placeholder', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    window.location.hash = '#/meine-vorgaenge';
    render(<App />);
    await waitFor(() => expect(ipc.posteingang.mock.calls.some(([a]) => a.ansicht === 'meine')).toBe(true));
    expect(screen.getByTestId('posteingang')).toBeTruthy();
    expect(screen.queryByText(/erscheint hier/)).toBeNull();
  });

  it('shows no demo banner when connected to a real service', async () => {
    ipc.appInfo.mockResolvedValue({ ...demoInfo, connection: { kind: 'live', base_url: 'https://zustelldienst.example/' } });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toContain('Verbunden'));
    expect(screen.queryByTestId('demo-banner')).toBeNull();
  });

  it('shows version and profile path from the backend on the settings page', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    window.location.hash = '#/einstellungen';
    render(<App />);
    expect((await screen.findByTestId('profile-dir')).textContent).toBe('/home/sb/.local/share/amtsstube');
    expect(screen.getByTestId('app-version').textContent).toBe('0.1.0');
  });

  it('tells the caseworker in German what to do when the backend fails', async () => {
    ipc.appInfo.mockRejectedValue({ code: 'profile_unavailable', message: 'Das Profilverzeichnis ist nicht nutzbar.' });
    render(<App />);
    expect((await screen.findByTestId('error-banner')).textContent).toContain('Profilverzeichnis');
  });

  it('opens the shortcut help with ? and focuses the search with /', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    render(<App />);
    const suche = await screen.findByTestId('suche');
    // The frame's key handler is in place once the session has loaded (under load a moment
    // after the search field appears).
    await waitFor(() => {
      fireEvent.keyDown(document.body, { key: '/' });
      expect(document.activeElement).toBe(suche);
    });
    fireEvent.keyDown(suche, { key: '?' });
    expect(screen.queryByTestId('hilfe')).toBeNull();
    (document.activeElement as HTMLElement).blur();
    fireEvent.keyDown(document.body, { key: '?' });
    const hilfe = screen.getByTestId('hilfe');
    expect(hilfe.textContent).toContain('Tastenkürzel');
    expect(hilfe.textContent).toContain('Nächsten Vorgang in der Liste auswählen');
    fireEvent.click(screen.getByTestId('hilfe-schliessen'));
    expect(screen.queryByTestId('hilfe')).toBeNull();
    // Nothing had the focus before: it goes to the main content, so Tab continues in the work area.
    expect(document.activeElement?.id).toBe('inhalt');
  });

  it('opens a case from the queue with Enter and goes back with Esc', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    ipc.posteingang.mockResolvedValue({
      zeilen: [
        {
          id: 'v1', aktenzeichen: 'AZ-1', eingang: '2026-11-30T08:00:00Z', leistung: 'Gewerbeanmeldung', antragsteller: 'Jonas Berg',
          status: 'neu', status_text: 'Neu', frist: null, faelligkeit: 'offen', wiedervorlage: null, zustaendig: null, neue_unterlagen: false,
        },
      ],
      gesamt: 1,
      offset: 0,
    });
    ipc.vorgang.mockReturnValue(new Promise(() => undefined));
    render(<App />);
    const suche = await screen.findByTestId('suche');
    await screen.findByText('AZ-1');
    fireEvent.keyDown(suche, { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-id')).toBe('v1');
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    await waitFor(() => expect(window.location.hash).toBe('#/vorgang/v1'));
    expect(await screen.findByTestId('zurueck')).toBeTruthy();
    expect(ipc.vorgang).toHaveBeenCalledWith('v1');
    fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(window.location.hash).toBe('#/posteingang'));
  });

  it('tells of a newer version the updater found, and that nothing is installed without consent', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    render(<App />);
    await screen.findByTestId('product');
    expect(screen.queryByTestId('aktualisierung-hinweis')).toBeNull();
    const melden = ipc.aufAktualisierungVerfuegbar.mock.calls.at(-1)?.[0];
    expect(melden).toBeTypeOf('function');
    act(() => melden!({ version: '0.2.0', aktuelleVersion: '0.1.0', kanal: 'stabil' }));
    const hinweis = await screen.findByTestId('aktualisierung-hinweis');
    expect(hinweis.textContent).toContain('Amtsstube 0.2.0 ist verfügbar');
    expect(hinweis.textContent).toContain('nicht ohne Zustimmung installiert');
  });
});
