import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EntscheidungAnsicht, VorgangDetail } from '../ipc';

const ipc = vi.hoisted(() => ({
  entscheidung: vi.fn(),
  entscheidungVorschlag: vi.fn(),
  entscheidungVorschau: vi.fn(),
  entscheidungSpeichern: vi.fn(),
  entscheidungFreigeben: vi.fn(),
  entscheidungZurueckgeben: vi.fn(),
  zahlungVermerken: vi.fn(),
  vorgangAktion: vi.fn(),
  vorgangErneut: vi.fn(),
}));
vi.mock('../ipc', () => ipc);

import { Entscheidung, centText, textCent } from './Entscheidung';

const detail = { id: 'v1', status: 'entscheidung_in_freigabe' } as VorgangDetail;
const ansicht: EntscheidungAnsicht = {
  vorlagen: [{ id: 'hundesteuer', bezeichnung: 'Hundesteuer – Festsetzung' }],
  entwurf: {
    vorlage: 'hundesteuer',
    ergebnis: 'stattgegeben',
    angaben: [{ schluessel: 'hund_name', bezeichnung: 'Name des Hundes', wert: 'Bello', zahl: false }],
    tenor: ['Die Hundesteuer wird festgesetzt.'],
    begruendung: 'Sie halten einen Hund.',
    nebenbestimmungen: [],
    gebuehren: [{ bezeichnung: 'Hundesteuer 2026', rechtsgrundlage: '§ 3 HStS', betrag_cent: 3900 }],
    kassenzeichen: 'KZ1',
    faellig_am: '2027-01-03',
  },
  version: 2,
  verfasser: ['anna'],
  gespeichert_am: '2026-12-04T10:00:00Z',
  rechtsbehelfsbelehrung: 'Gegen diesen Bescheid kann Klage erhoben werden.',
  bearbeiten: { moeglich: false, hinweis: 'Der Bescheidentwurf kann im Status „Entscheidung in Freigabe“ nicht geändert werden.' },
  vorlegen: { moeglich: false, hinweis: 'Im Status „Entscheidung in Freigabe“ nicht möglich.' },
  freigeben: { moeglich: false, hinweis: 'Vier-Augen-Prinzip: Die Freigabe muss eine andere Person erteilen als die, die den Bescheid verfasst hat.' },
  zurueckgeben: { moeglich: true, hinweis: null },
  zuletzt_gesehen: 1,
  aenderungen: [
    { art: 'gleich', text: 'Vorlage: Hundesteuer – Festsetzung' },
    { art: 'weg', text: 'Begründung: alt' },
    { art: 'neu', text: 'Begründung: Sie halten einen Hund.' },
  ],
  bescheid: null,
};

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('Entscheidung', () => {
  it('converts amounts between cents and German text', () => {
    expect(centText(3900)).toBe('39,00');
    expect(centText(123456)).toBe('1.234,56');
    expect(textCent('39,00')).toBe(3900);
    expect(textCent('1.234,5 €')).toBe(123450);
    expect(textCent('39')).toBe(3900);
    expect(textCent('neununddreißig')).toBeNull();
  });

  it('shows the preview pages, the diff and the fee sum; the author’s Freigabe is answered by the backend’s refusal', async () => {
    ipc.entscheidung.mockResolvedValue(ansicht);
    ipc.entscheidungVorschau.mockResolvedValue({ seiten: ['<svg xmlns="http://www.w3.org/2000/svg"></svg>', '<svg xmlns="http://www.w3.org/2000/svg"></svg>'], millis: 7, fehler: null });
    ipc.entscheidungFreigeben.mockRejectedValue({ code: 'invalid_input', message: '„Entscheidung freigeben“ ist noch nicht möglich: Vier-Augen-Prinzip: …' });
    render(<Entscheidung detail={detail} onNeu={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId('vorschau-seite')).toHaveLength(2));
    expect(screen.getAllByTestId('vorschau-seite')[0]!.getAttribute('alt')).toBe('Seite 1 von 2 der Vorschau des Bescheids');
    expect(screen.getByTestId('gebuehren-summe').textContent).toBe('39,00 €');
    const diff = screen.getByTestId('entwurf-diff');
    expect(diff.textContent).toContain('entfernt: Begründung: alt');
    expect(diff.textContent).not.toContain('Vorlage:');
    // Frozen while in approval.
    expect((screen.getByTestId('entwurf-begruendung') as HTMLTextAreaElement).closest('fieldset')!.disabled).toBe(true);
    expect(screen.getByText(/Vier-Augen-Prinzip: Die Freigabe/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('entwurf-freigeben'));
    await waitFor(() => expect(screen.getByTestId('fehler').textContent).toContain('Vier-Augen-Prinzip'));
    expect(ipc.entscheidungFreigeben).toHaveBeenCalledWith('v1');
    const r = await axe.run(screen.getByTestId('entscheidung'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    expect(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  });

  it('asks before an approval that is possible and reports the sealed Bescheid', async () => {
    ipc.entscheidung.mockResolvedValue({ ...ansicht, freigeben: { moeglich: true, hinweis: null }, aenderungen: [] });
    ipc.entscheidungVorschau.mockResolvedValue({ seiten: [], millis: 0, fehler: 'Eingabe ungültig (angaben.jahr): …' });
    ipc.entscheidungFreigeben.mockResolvedValue({
      ...ansicht,
      bescheid: { datum: '2026-12-04', version: 2, freigegeben_von: 'bernd', dateiname: 'Bescheid.pdf', url: 'anlage://localhost/v1/x', summe_cent: 3900, kassenzeichen: 'KZ1', zahlung_offen: true, bezahlt_am: null, versand: 'Über den FIT-Connect-Rückkanal gesendet.' },
    });
    ipc.vorgangErneut.mockResolvedValue(detail);
    render(<Entscheidung detail={detail} onNeu={() => {}} />);
    await waitFor(() => expect(screen.getByTestId('vorschau-fehler').textContent).toContain('angaben.jahr'));
    fireEvent.click(screen.getByTestId('entwurf-freigeben'));
    expect(ipc.entscheidungFreigeben).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('freigabe-bestaetigen'));
    await waitFor(() => expect(screen.getByTestId('zahlung-offen')).toBeTruthy());
    expect(screen.getByTestId('bescheid-info').textContent).toContain('freigegeben von bernd');
  });
});
