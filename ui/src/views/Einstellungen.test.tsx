import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInfo } from '../ipc';
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
    // Read-only: nothing on the page can be edited or submitted.
    expect(document.querySelectorAll('input, select, textarea, button, [contenteditable]').length).toBe(0);
  });

  it('says so when the administration pins nothing', () => {
    render(<Einstellungen state={{ kind: 'ok', info: ohneRichtlinie }} />);
    expect(screen.queryByTestId('festlegungen')).toBeNull();
    expect(screen.getByTestId('richtlinie-leer').textContent).toContain('legt nichts fest');
    expect(screen.getByTestId('connection').textContent).not.toContain('festgelegt');
  });
});
