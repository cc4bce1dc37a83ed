import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppInfo, SyncStatus } from '../ipc';
import { SyncBereich } from './SyncBereich';

afterEach(cleanup);

const info: AppInfo = { product: 'Amtsstube', version: '0.1.0', profile_dir: '/p', connection: { kind: 'demo', simulator_url: 'http://127.0.0.1:9' }, richtlinie: { datei: '/etc/amtsstube/policy.toml', vorhanden: false, festlegungen: [] } };
const ruhe: SyncStatus = { laeuft: false, fertig: 0, gesamt: 0, letzter_abruf: null, offline: false, meldung: null, outbox: 0, neue_vorgaenge: 0 };

describe('sync status area', () => {
  it('shows the last sync in German, the outbox and the new cases of the last pass', () => {
    const zeit = new Date(2026, 11, 1, 7, 5).toISOString();
    render(<SyncBereich state={{ kind: 'ok', info }} sync={{ ...ruhe, letzter_abruf: zeit, outbox: 3, neue_vorgaenge: 2 }} onAbrufen={() => undefined} />);
    const t = screen.getByTestId('sync-status').textContent;
    expect(t).toContain('Demo-Modus · Simulator bereit');
    expect(t).toContain('Zuletzt abgerufen: 01.12.2026, 07:05');
    expect(t).toContain('Postausgang: 3');
    expect(t).toContain('2 neue Vorgänge');
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('shows a progress bar while a pass runs and disables „Jetzt abrufen“', () => {
    render(<SyncBereich state={{ kind: 'ok', info }} sync={{ ...ruhe, laeuft: true, fertig: 3, gesamt: 20 }} onAbrufen={() => undefined} />);
    const bar = screen.getByRole('progressbar', { name: 'Fortschritt des Abrufs' }) as HTMLProgressElement;
    expect(bar.value).toBe(3);
    expect(bar.max).toBe(20);
    expect(screen.getByTestId('sync-status').textContent).toContain('Abruf läuft (3 von 20)');
    expect((screen.getByTestId('jetzt-abrufen') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says Offline in words, not by colour alone, and lets the user try again', () => {
    const abrufen = vi.fn();
    render(<SyncBereich state={{ kind: 'ok', info }} sync={{ ...ruhe, offline: true, meldung: 'Zustelldienst nicht erreichbar' }} onAbrufen={abrufen} />);
    expect(screen.getByTestId('offline').textContent).toContain('Offline');
    expect(screen.getByTestId('sync-status').textContent).toContain('Zustelldienst nicht erreichbar');
    fireEvent.click(screen.getByTestId('jetzt-abrufen'));
    expect(abrufen).toHaveBeenCalledTimes(1);
  });
});
