import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppInfo } from '../ipc';

const ipc = vi.hoisted(() => ({ diagnoseberichtSpeichern: vi.fn() }));
vi.mock('../ipc', () => ipc);

import { Einstellungen } from './Einstellungen';

afterEach(cleanup);

const ohneRichtlinie: AppInfo = {
  product: 'Amtsstube',
  version: '0.1.0',
  profile_dir: '/home/sb/.local/share/amtsstube',
  connection: { kind: 'demo', simulator_url: null },
  richtlinie: { datei: '/etc/amtsstube/policy.toml', vorhanden: false, festlegungen: [] },
};

const festgelegt: AppInfo = {
  ...ohneRichtlinie,
  connection: { kind: 'live', base_url: 'https://zustelldienst.musterstadt.example/' },
  richtlinie: {
    datei: '/etc/amtsstube/policy.toml',
    vorhanden: true,
    festlegungen: [
      { feld: 'zustelldienst.base_url', bezeichnung: 'Zustelldienst (Dienst-Adresse)', wert: 'https://zustelldienst.musterstadt.example/' },
      { feld: 'demo_erlaubt', bezeichnung: 'Demo-Modus erlaubt', wert: 'nein' },
    ],
  },
};

describe('Einstellungen', () => {
  it('shows every pinned setting read-only with „von der Administration festgelegt“', () => {
    render(<Einstellungen state={{ kind: 'ok', info: festgelegt }} />);
    const liste = screen.getByTestId('festlegungen');
    const dienst = within(liste).getByTestId('festgelegt-zustelldienst.base_url');
    expect(dienst.textContent).toBe('https://zustelldienst.musterstadt.example/ (von der Administration festgelegt)');
    expect(within(liste).getByText('Demo-Modus erlaubt')).toBeTruthy();
    expect(within(liste).getByTestId('festgelegt-demo_erlaubt').textContent).toContain('nein');
    expect(screen.getByTestId('richtlinie').textContent).toContain('/etc/amtsstube/policy.toml');
    // The connection row says it is pinned too.
    expect(screen.getByTestId('connection').textContent).toContain('von der Administration festgelegt');
    // Read-only: nothing on the page can be edited or submitted; the one button writes the
    // Diagnosebericht and changes no setting.
    expect(document.querySelectorAll('input, select, textarea, [contenteditable]').length).toBe(0);
    const knoepfe = Array.from(document.querySelectorAll('button'));
    expect(knoepfe.map((b) => b.getAttribute('data-testid'))).toEqual(['diagnose-speichern']);
  });

  it('says so when the administration pins nothing', () => {
    render(<Einstellungen state={{ kind: 'ok', info: ohneRichtlinie }} />);
    expect(screen.queryByTestId('festlegungen')).toBeNull();
    expect(screen.getByTestId('richtlinie-leer').textContent).toContain('legt nichts fest');
    expect(screen.getByTestId('connection').textContent).not.toContain('festgelegt');
  });

  it('writes the Diagnosebericht where the dialog says and tells where, or why not', async () => {
    ipc.diagnoseberichtSpeichern.mockResolvedValueOnce('/home/sb/amtsstube-diagnose-2026-12-07.zip');
    render(<Einstellungen state={{ kind: 'ok', info: ohneRichtlinie }} />);
    const knopf = screen.getByTestId('diagnose-speichern');
    expect(knopf.textContent).toBe('Diagnosebericht speichern …');
    expect(screen.getByTestId('diagnose').textContent).toContain('keine Vorgänge, Namen oder Dokumente');
    fireEvent.click(knopf);
    await waitFor(() =>
      expect(screen.getByTestId('diagnose-meldung').textContent).toBe(
        'Diagnosebericht gespeichert unter /home/sb/amtsstube-diagnose-2026-12-07.zip',
      ),
    );
    ipc.diagnoseberichtSpeichern.mockResolvedValueOnce(null);
    fireEvent.click(knopf);
    await waitFor(() => expect(screen.getByTestId('diagnose-meldung').textContent).toBe('Speichern abgebrochen.'));
    ipc.diagnoseberichtSpeichern.mockRejectedValueOnce({
      code: 'internal',
      message: 'Der Diagnosebericht konnte nicht nach /voll/x.zip geschrieben werden (kein Platz).',
    });
    fireEvent.click(knopf);
    await waitFor(() => expect(document.body.textContent).toContain('kein Platz'));
    expect(ipc.diagnoseberichtSpeichern).toHaveBeenCalledTimes(3);
  });
});
