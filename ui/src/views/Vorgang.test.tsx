import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VorgangDetail } from '../ipc';

const ipc = vi.hoisted(() => ({
  vorgang: vi.fn(),
  vorgangErneut: vi.fn(),
  aufVorgaengeGeaendert: vi.fn((handler: () => void) => {
    void handler;
    return () => {};
  }),
  vorgangAktion: vi.fn(),
  notizHinzufuegen: vi.fn(),
  anlageSpeichern: vi.fn(),
  anlageSiegel: vi.fn(() => Promise.resolve({ signiert: false, gueltig: false, text: 'Ohne Siegel oder Signatur.' })),
  nachrichtEntwurf: vi.fn(),
  nachrichtVorschau: vi.fn(),
  nachrichtSenden: vi.fn(),
  nachrichtErneutSenden: vi.fn(),
  nachweisAbhaken: vi.fn(),
  dateiWaehlen: vi.fn(),
}));
vi.mock('../ipc', () => ipc);

import { Vorgang } from './Vorgang';

const detail: VorgangDetail = {
  id: 'v7',
  aktenzeichen: 'HST-2026-000007',
  leistung: 'Hundesteuer – Anmeldung',
  leika: '99108008001000',
  eingang: '2026-11-30T08:15:00Z',
  antragsteller: { name: 'Anna Schmidt', anschrift: 'Hauptstraße 1, 12345 Musterstadt', kontakt: null },
  status: 'neu',
  status_text: 'Neu',
  frist: '2026-12-05',
  faelligkeit: 'faellig',
  wiedervorlage: null,
  zustaendig: null,
  prioritaet: 'Normal',
  submission_id: 's-1',
  case_id: null,
  formular: {
    format: 'json',
    schema_uri: 'urn:amtsstube:demo:schema:hundesteuer:1.0.0',
    inhalt: JSON.stringify({ hund: { name: 'Bello' } }),
    schema: JSON.stringify({ type: 'object', properties: { hund: { type: 'object', title: 'Angaben zum Hund', properties: { name: { type: 'string', title: 'Name des Hundes' } } } } }),
  },
  anlagen: [
    { sha512: 'ab'.repeat(64), dateiname: 'Nachweis.pdf', mime: 'application/pdf', groesse: 204800, geprueft: true, url: 'anlage://localhost/v7/abab' },
    { sha512: 'cd'.repeat(64), dateiname: 'Foto.png', mime: 'image/png', groesse: 512, geprueft: false, url: 'anlage://localhost/v7/cdcd' },
  ],
  notizen: [{ autor: 'sb1', zeit: '2026-11-30T09:00:00Z', text: 'Rückruf <b>nötig</b>' }],
  verlauf: [
    { zeit: '2026-11-30T08:15:00Z', wer: 'System', was: 'Antrag eingegangen' },
    { zeit: '2026-11-30T09:00:00Z', wer: 'sb1', was: 'Vorgang geöffnet' },
  ],
  aktionen: [
    { aktion: 'uebernehmen', bezeichnung: 'Übernehmen', moeglich: true, hinweis: null, bestaetigen: false, eingabe: null },
    { aktion: 'pruefung_beginnen', bezeichnung: 'In Prüfung nehmen', moeglich: false, hinweis: 'Erst übernehmen, dann prüfen.', bestaetigen: false, eingabe: null },
    { aktion: 'zurueckweisen', bezeichnung: 'Zurückweisen', moeglich: true, hinweis: null, bestaetigen: true, eingabe: 'begruendung' },
  ],
  nachrichten: [],
  nachforderung: null,
  rueckkanal: { fit_connect: true, hinweis: null, andere: [] },
  nachweise_der_leistung: [],
  nachforderungsfrist: '2026-12-17',
};

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function aufbauen() {
  ipc.vorgang.mockResolvedValue(detail);
  const onZurueck = vi.fn();
  const befehleRef: { current: ((b: never) => boolean) | null } = { current: null };
  render(<Vorgang id="v7" onZurueck={onZurueck} befehleRef={befehleRef as never} />);
  return { onZurueck, befehleRef };
}

describe('Vorgang (case view)', () => {
  it('shows the header facts and the status text', async () => {
    aufbauen();
    const kopf = await screen.findByTestId('vorgang-kopf');
    expect(kopf.textContent).toContain('HST-2026-000007');
    expect(kopf.textContent).toContain('Anna Schmidt');
    expect(kopf.textContent).toContain('05.12.2026');
    expect(kopf.textContent).toContain('(fällig)');
    expect(screen.getByTestId('vorgang-status').textContent).toBe('Neu');
    expect(ipc.vorgang).toHaveBeenCalledWith('v7');
  });

  it('shows a follow-up submission while the case is open, read again without a new audited opening', async () => {
    let geaendert: (() => void) | null = null;
    const abmelden = vi.fn();
    ipc.aufVorgaengeGeaendert.mockImplementation((h: () => void) => {
      geaendert = h;
      return abmelden;
    });
    ipc.vorgangErneut.mockResolvedValue({
      ...detail,
      verlauf: [...detail.verlauf, { zeit: '2026-11-30T10:00:00Z', wer: 'System', was: 'Unterlagen nachgereicht' }],
    });
    ipc.vorgang.mockResolvedValue(detail);
    const { unmount } = render(<Vorgang id="v7" onZurueck={vi.fn()} befehleRef={{ current: null } as never} />);
    await screen.findByTestId('vorgang-kopf');
    expect(geaendert).not.toBeNull();
    geaendert!();
    await waitFor(() => expect(ipc.vorgangErneut).toHaveBeenCalledWith('v7'));
    fireEvent.click(screen.getByTestId('tab-verlauf'));
    await waitFor(() => expect(screen.getAllByTestId('verlauf-eintrag')[0]!.textContent).toContain('Unterlagen nachgereicht'));
    expect(ipc.vorgang).toHaveBeenCalledTimes(1);
    unmount();
    expect(abmelden).toHaveBeenCalled();
  });

  it('disables an impossible action and says why', async () => {
    aufbauen();
    const b = (await screen.findByTestId('aktion-pruefung_beginnen')) as HTMLButtonElement;
    expect(b.disabled).toBe(true);
    const hid = b.getAttribute('aria-describedby')!;
    expect(document.getElementById(hid)?.textContent).toBe('Erst übernehmen, dann prüfen.');
  });

  it('runs an action without confirmation directly and shows the new status', async () => {
    ipc.vorgangAktion.mockResolvedValue({ ...detail, zustaendig: 'sb1', status_text: 'Neu' });
    aufbauen();
    fireEvent.click(await screen.findByTestId('aktion-uebernehmen'));
    await waitFor(() => expect(screen.getByTestId('vorgang-zustaendig').textContent).toBe('sb1'));
    expect(ipc.vorgangAktion).toHaveBeenCalledWith({ id: 'v7', aktion: 'uebernehmen', begruendung: null, empfaenger: null, datum: null });
  });

  it('asks for confirmation and a Begründung before an action that cannot be undone', async () => {
    ipc.vorgangAktion.mockResolvedValue({ ...detail, status: 'zurueckgewiesen', status_text: 'Zurückgewiesen', aktionen: [] });
    aufbauen();
    fireEvent.click(await screen.findByTestId('aktion-zurueckweisen'));
    const dialog = screen.getByTestId('aktion-dialog');
    expect(dialog.textContent).toContain('nicht rückgängig');
    fireEvent.click(within(dialog).getByTestId('bestaetigen'));
    expect(within(dialog).getByTestId('fehler').textContent).toContain('Begründung');
    expect(ipc.vorgangAktion).not.toHaveBeenCalled();
    fireEvent.change(within(dialog).getByLabelText('Begründung'), { target: { value: 'Nicht zuständig' } });
    fireEvent.click(within(dialog).getByTestId('bestaetigen'));
    await waitFor(() => expect(screen.getByTestId('vorgang-status').textContent).toBe('Zurückgewiesen'));
    expect(ipc.vorgangAktion).toHaveBeenCalledWith(expect.objectContaining({ aktion: 'zurueckweisen', begruendung: 'Nicht zuständig' }));
    expect(screen.queryByTestId('aktion-dialog')).toBeNull();
  });

  it('cancels the dialog without running the action', async () => {
    aufbauen();
    fireEvent.click(await screen.findByTestId('aktion-zurueckweisen'));
    fireEvent.click(screen.getByTestId('abbrechen'));
    expect(screen.queryByTestId('aktion-dialog')).toBeNull();
    expect(ipc.vorgangAktion).not.toHaveBeenCalled();
  });

  it('shows the German message of a failed action in the dialog', async () => {
    ipc.vorgangAktion.mockRejectedValue({ code: 'invalid_input', message: 'Zurückweisen geht nur in Prüfung.' });
    aufbauen();
    fireEvent.click(await screen.findByTestId('aktion-zurueckweisen'));
    fireEvent.change(screen.getByLabelText('Begründung'), { target: { value: 'x' } });
    fireEvent.click(screen.getByTestId('bestaetigen'));
    expect((await screen.findByTestId('fehler')).textContent).toContain('Zurückweisen geht nur in Prüfung.');
  });

  it('shows an error state when the case cannot be loaded', async () => {
    ipc.vorgang.mockRejectedValue({ code: 'not_found', message: 'Der Vorgang wurde nicht gefunden.' });
    render(<Vorgang id="x" onZurueck={() => undefined} befehleRef={{ current: null }} />);
    expect((await screen.findByTestId('fehler')).textContent).toContain('nicht gefunden');
  });

  it('renders the form data with schema labels in the Antrag tab', async () => {
    aufbauen();
    const formular = await screen.findByTestId('formular');
    expect(within(formular).getByText('Name des Hundes').tagName).toBe('DT');
    expect(within(formular).getByText('Bello')).toBeTruthy();
  });

  it('lists attachments with type, German size and the verified mark, and previews an image', async () => {
    aufbauen();
    fireEvent.click(await screen.findByTestId('tab-anlagen'));
    const rows = screen.getAllByTestId('anlage');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.dataset.mime).toBe('application/pdf');
    expect(rows[0]!.dataset.sha512).toBe('ab'.repeat(64));
    expect(rows[0]!.textContent).toContain('200 KB');
    expect(rows[0]!.textContent).toContain('geprüft');
    expect(rows[1]!.textContent).toContain('nicht geprüft');
    fireEvent.click(within(rows[1]!).getByTestId('anlage-vorschau'));
    const img = within(screen.getByTestId('vorschau')).getByRole('img');
    expect(img.getAttribute('src')).toBe('anlage://localhost/v7/cdcd');
  });

  it('saves an attachment with „Speichern unter…“ and says where', async () => {
    ipc.anlageSpeichern.mockResolvedValue('/home/sb/Nachweis.pdf');
    aufbauen();
    fireEvent.click(await screen.findByTestId('tab-anlagen'));
    fireEvent.click(screen.getAllByTestId('anlage-speichern')[0]!);
    await waitFor(() => expect(screen.getByTestId('speicher-meldung').textContent).toContain('/home/sb/Nachweis.pdf'));
    expect(ipc.anlageSpeichern).toHaveBeenCalledWith('v7', 'ab'.repeat(64));
  });

  it('shows notes as text and adds a note', async () => {
    ipc.notizHinzufuegen.mockResolvedValue({ ...detail, notizen: [...detail.notizen, { autor: 'sb1', zeit: '2026-11-30T10:00:00Z', text: 'Erledigt' }] });
    aufbauen();
    fireEvent.click(await screen.findByTestId('tab-notizen'));
    expect(screen.getByTestId('notiz').textContent).toContain('Rückruf <b>nötig</b>');
    fireEvent.change(screen.getByTestId('notiz-text'), { target: { value: 'Erledigt' } });
    fireEvent.click(screen.getByTestId('notiz-hinzufuegen'));
    await waitFor(() => expect(screen.getAllByTestId('notiz')).toHaveLength(2));
    expect(ipc.notizHinzufuegen).toHaveBeenCalledWith('v7', 'Erledigt');
  });

  it('shows the history newest first', async () => {
    aufbauen();
    fireEvent.click(await screen.findByTestId('tab-verlauf'));
    const e = screen.getAllByTestId('verlauf-eintrag');
    expect(e[0]!.textContent).toContain('Vorgang geöffnet');
    expect(e[1]!.textContent).toContain('Antrag eingegangen');
  });

  it('switches tabs with the arrow keys and goes back with the back button and Esc', async () => {
    const { onZurueck, befehleRef } = aufbauen();
    const tab = await screen.findByTestId('tab-antrag');
    fireEvent.keyDown(tab, { key: 'ArrowRight' });
    expect(screen.getByTestId('tab-anlagen').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('tab-anlagen'));
    fireEvent.click(screen.getByTestId('zurueck'));
    expect(onZurueck).toHaveBeenCalledTimes(1);
    (befehleRef.current as unknown as (b: string) => boolean)('zurueck');
    expect(onZurueck).toHaveBeenCalledTimes(2);
  });

  it('asks for a date for the Wiedervorlage and sends it as YYYY-MM-DD', async () => {
    const wv = { aktion: 'wiedervorlage', bezeichnung: 'Wiedervorlage setzen', moeglich: true, hinweis: null, bestaetigen: false, eingabe: 'datum' };
    ipc.vorgang.mockResolvedValue({ ...detail, aktionen: [wv] });
    ipc.vorgangAktion.mockResolvedValue({ ...detail, wiedervorlage: '2026-12-24' });
    render(<Vorgang id="v7" onZurueck={() => undefined} befehleRef={{ current: null }} />);
    fireEvent.click(await screen.findByTestId('aktion-wiedervorlage'));
    fireEvent.change(screen.getByTestId('eingabe-datum'), { target: { value: '31.02.2026' } });
    fireEvent.click(screen.getByTestId('bestaetigen'));
    expect(screen.getByTestId('fehler').textContent).toContain('TT.MM.JJJJ');
    fireEvent.change(screen.getByTestId('eingabe-datum'), { target: { value: '24.12.2026' } });
    fireEvent.click(screen.getByTestId('bestaetigen'));
    await waitFor(() => expect(ipc.vorgangAktion).toHaveBeenCalledWith(expect.objectContaining({ aktion: 'wiedervorlage', datum: '2026-12-24' })));
    expect(await screen.findByText('24.12.2026')).toBeTruthy();
  });
});
