import axe from 'axe-core';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AktionInfo, VorgangDetail } from '../ipc';
import type { EAkteInfo } from './EAkte';

const ipc = vi.hoisted(() => ({
  vorgang: vi.fn(),
  vorgangErneut: vi.fn(),
  aufVorgaengeGeaendert: vi.fn(() => () => {}),
  vorgangAktion: vi.fn(),
  vorgangExportieren: vi.fn(),
  notizHinzufuegen: vi.fn(),
  anlageSpeichern: vi.fn(),
  anlageSiegel: vi.fn(() => Promise.resolve({ signiert: false, gueltig: false, text: 'Ohne Siegel oder Signatur.' })),
  eakteVorschau: vi.fn(),
  eakteAbgeben: vi.fn(),
  eakteStatus: vi.fn(),
}));
vi.mock('../ipc', () => ipc);

import { EAkteUebersicht } from './EAkte';
import { Vorgang } from './Vorgang';

const uebergeben: AktionInfo = {
  aktion: 'an_e_akte_uebergeben',
  bezeichnung: 'An die E-Akte übergeben',
  moeglich: true,
  hinweis: null,
  bestaetigen: true,
  eingabe: null,
};

const beschieden: VorgangDetail = {
  id: 'v9',
  aktenzeichen: 'HST-2026-000009',
  leistung: 'Hundesteuer – Anmeldung',
  leika: '99108008001000',
  eingang: '2026-11-30T08:15:00Z',
  antragsteller: { name: 'Anna Schmidt', anschrift: null, kontakt: null },
  status: 'beschieden',
  status_text: 'Beschieden',
  frist: null,
  faelligkeit: 'offen',
  wiedervorlage: null,
  zustaendig: 'sb1',
  prioritaet: 'Normal',
  submission_id: null,
  case_id: null,
  formular: { format: 'json', schema_uri: 'urn:demo:hund', inhalt: JSON.stringify({ hund: 'Bello' }), schema: null },
  anlagen: [],
  notizen: [],
  verlauf: [],
  aktionen: [uebergeben],
  nachrichten: [],
  nachforderung: null,
  rueckkanal: { fit_connect: true, hinweis: null, andere: [] },
  nachweise_der_leistung: [],
  nachforderungsfrist: '2026-12-17',
};

const vorschau = {
  id: 'v9',
  aktenzeichen: 'HST-2026-000009',
  ziel: 'E-Akte der Stadt (Ordner /srv/eakte/abgabe)',
  dokumente: [
    { titel: 'Antrag (Formulardaten)', typ: 'Antrag', dateiname: 'antrag.pdf', groesse: 48_128, signiert: false },
    { titel: 'Bescheid', typ: 'Bescheid', dateiname: 'bescheid.pdf', groesse: 1_572_864, signiert: true },
  ],
  groesse: 1_700_000,
  erneut: false,
  karenz: '30 Tagen',
};

const info = (x: Partial<EAkteInfo>): EAkteInfo => ({
  zustand: 'wartet',
  zustand_text: 'Wartet auf Zustellung',
  prozess_id: '5f0c2b1e-0000-4000-8000-000000000001',
  uebergeben: '2026-12-01T09:30:00Z',
  von: 'sb1',
  dokumente: 2,
  zugestellt: null,
  empfangen: null,
  importiert: null,
  referenz: null,
  fehler: null,
  zustellfehler: null,
  geloescht: null,
  loeschung_ab: null,
  ...x,
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function oeffnen(d: VorgangDetail) {
  ipc.vorgang.mockResolvedValue(d);
  render(<Vorgang id={d.id} onZurueck={() => {}} befehleRef={{ current: null }} />);
}

async function keineSchwerenVerstoesse(el: HTMLElement) {
  const r = await axe.run(el, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  expect(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
}

describe('Abgabe an die E-Akte', () => {
  it('the action does not hand over blindly: the dialog lists the documents first, and „Abgeben“ hands over', async () => {
    let antworten: (v: typeof vorschau) => void = () => {};
    ipc.eakteVorschau.mockReturnValue(new Promise((r) => (antworten = r)));
    ipc.eakteAbgeben.mockResolvedValue({
      ...beschieden,
      status: 'an_e_akte_uebergeben',
      status_text: 'An E-Akte übergeben',
      aktionen: [],
      eakte: info({}),
    });
    oeffnen(beschieden);
    fireEvent.click(await screen.findByTestId('aktion-an_e_akte_uebergeben'));
    expect(ipc.vorgangAktion).not.toHaveBeenCalled();
    const dialog = screen.getByTestId('eakte-dialog');
    expect(dialog.getAttribute('aria-busy')).toBe('true');
    expect(within(dialog).getByTestId('eakte-vorschau-laedt').textContent).toContain('zusammengestellt');
    expect((within(dialog).getByTestId('eakte-abgeben') as HTMLButtonElement).disabled).toBe(true);
    expect(document.activeElement).toBe(within(dialog).getByTestId('eakte-abbrechen'));
    expect(ipc.eakteVorschau).toHaveBeenCalledWith('v9');

    antworten(vorschau);
    const zeilen = await within(dialog).findAllByTestId('eakte-dokument');
    expect(zeilen).toHaveLength(2);
    expect(zeilen[0]!.textContent).toContain('Antrag (Formulardaten)');
    expect(zeilen[0]!.textContent).toContain('antrag.pdf');
    expect(zeilen[0]!.textContent).toContain('47 KB');
    expect(zeilen[0]!.textContent).toContain('nicht gesiegelt');
    expect(zeilen[1]!.textContent).toContain('1,5 MB');
    expect(within(zeilen[1]!).getByTestId('eakte-gesiegelt').textContent).toBe('gesiegelt');
    expect(within(dialog).getByTestId('eakte-ziel').textContent).toBe(vorschau.ziel);
    expect(within(dialog).getByTestId('eakte-paketgroesse').textContent).toBe('1,6 MB');
    expect(within(dialog).getByTestId('eakte-karenz').textContent).toBe(
      'Nach der Bestätigung durch die E-Akte wird die lokale Kopie nach 30 Tagen gelöscht.',
    );
    expect(dialog.getAttribute('aria-busy')).toBe('false');
    expect(document.activeElement).toBe(within(dialog).getByTestId('eakte-abgeben'));
    await keineSchwerenVerstoesse(dialog);

    fireEvent.click(within(dialog).getByTestId('eakte-abgeben'));
    await waitFor(() => expect(screen.queryByTestId('eakte-dialog')).toBeNull());
    expect(ipc.eakteAbgeben).toHaveBeenCalledWith('v9');
    expect(ipc.vorgangAktion).not.toHaveBeenCalled();
    expect(screen.getByTestId('vorgang-status').textContent).toBe('An E-Akte übergeben');
    expect(screen.getByTestId('eakte-zustand').textContent).toBe('Wartet auf Zustellung');
    expect(screen.getByTestId('meldung').textContent).toContain('An die E-Akte abgegeben');
  });

  it('opens the same dialog from „An E-Akte abgeben …“ and cancels without handing over', async () => {
    ipc.eakteVorschau.mockResolvedValue(vorschau);
    oeffnen(beschieden);
    const knopf = await screen.findByRole('button', { name: 'An E-Akte abgeben …' });
    expect(knopf.dataset.testid).toBe('eakte-abgabe-oeffnen');
    fireEvent.click(knopf);
    await screen.findAllByTestId('eakte-dokument');
    fireEvent.click(screen.getByRole('button', { name: 'Abbrechen' }));
    expect(screen.queryByTestId('eakte-dialog')).toBeNull();
    expect(ipc.eakteAbgeben).not.toHaveBeenCalled();
  });

  it('shows the backend’s German message when the preview or the hand-over fails', async () => {
    ipc.eakteVorschau.mockRejectedValueOnce({ code: 'invalid_input', message: 'Es ist keine E-Akte eingerichtet.' });
    oeffnen(beschieden);
    fireEvent.click(await screen.findByTestId('eakte-abgabe-oeffnen'));
    expect((await screen.findByTestId('fehler')).textContent).toContain('Es ist keine E-Akte eingerichtet.');
    expect((screen.getByTestId('eakte-abgeben') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('eakte-abbrechen'));

    ipc.eakteVorschau.mockResolvedValue(vorschau);
    ipc.eakteAbgeben.mockRejectedValue({ code: 'invalid_input', message: 'Der Vorgang ist noch nicht abgeschlossen.' });
    fireEvent.click(screen.getByTestId('eakte-abgabe-oeffnen'));
    await screen.findAllByTestId('eakte-dokument');
    fireEvent.click(screen.getByTestId('eakte-abgeben'));
    expect((await screen.findByTestId('fehler')).textContent).toContain('noch nicht abgeschlossen');
    expect(screen.getByTestId('eakte-dialog')).toBeTruthy();
    expect((screen.getByTestId('eakte-abgeben') as HTMLButtonElement).disabled).toBe(false);
  });

  it('offers a new hand-over after the E-Akte refused the import, and shows why it refused', async () => {
    ipc.eakteVorschau.mockResolvedValue({ ...vorschau, erneut: true });
    oeffnen({
      ...beschieden,
      status: 'an_e_akte_uebergeben',
      status_text: 'An E-Akte übergeben',
      aktionen: [],
      eakte: info({ zustand: 'fehler', zustand_text: 'Übernahme abgelehnt', fehler: 'Aktenplan-Kennzeichen unbekannt.' }),
    });
    expect((await screen.findByTestId('eakte-fehler')).textContent).toBe('Die E-Akte hat die Übernahme abgelehnt: Aktenplan-Kennzeichen unbekannt.');
    fireEvent.click(screen.getByRole('button', { name: 'Erneut an E-Akte abgeben …' }));
    expect(await screen.findByTestId('eakte-erneut-hinweis')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Erneut an die E-Akte abgeben' })).toBeTruthy();
  });
});

describe('E-Akte block of the case', () => {
  it('shows the step as a badge, the reference, the dates and no hand-over button once filed', async () => {
    oeffnen({
      ...beschieden,
      status: 'archiviert',
      status_text: 'Archiviert',
      aktionen: [],
      eakte: info({
        zustand: 'zu_den_akten',
        zustand_text: 'Zu den Akten',
        zugestellt: '2026-12-01T09:31:00Z',
        empfangen: '2026-12-01T09:40:00Z',
        importiert: '2026-12-01T10:05:00Z',
        referenz: 'EA-2026/4711',
        loeschung_ab: '2026-12-31T10:05:00Z',
      }),
    });
    expect((await screen.findByTestId('eakte-zustand')).textContent).toBe('Zu den Akten');
    expect(screen.getByTestId('vorgang-kopf').contains(screen.getByTestId('eakte-zustand'))).toBe(true);
    expect(screen.getByTestId('eakte-referenz').textContent).toBe('EA-2026/4711');
    expect(screen.getByTestId('eakte-importiert').textContent).toMatch(/^01\.12\.2026, \d\d:05$/);
    expect(screen.getByTestId('eakte-loeschung-ab').textContent).toMatch(/^31\.12\.2026, /);
    expect(screen.getByTestId('eakte-uebergeben').textContent).toContain('von sb1 (2 Dokumente)');
    expect(screen.queryByTestId('eakte-fehler')).toBeNull();
    expect(screen.queryByTestId('eakte-zustellfehler')).toBeNull();
    expect(screen.queryByTestId('eakte-abgabe-oeffnen')).toBeNull();
    await keineSchwerenVerstoesse(screen.getByTestId('vorgang-kopf'));
  });

  it('warns while the delivery has not worked yet', async () => {
    oeffnen({
      ...beschieden,
      status: 'an_e_akte_uebergeben',
      status_text: 'An E-Akte übergeben',
      aktionen: [],
      eakte: info({ zustellfehler: 'Der Abgabeordner ist voll.' }),
    });
    expect((await screen.findByTestId('eakte-zustellfehler')).textContent).toContain('Zustellung noch nicht gelungen: Der Abgabeordner ist voll.');
    expect(screen.queryByTestId('eakte-abgabe-oeffnen')).toBeNull();
  });

  it('shows a tombstone with the deletion date and the reference, and copes with the emptied case', async () => {
    oeffnen({
      ...beschieden,
      status: 'archiviert',
      status_text: 'Archiviert',
      antragsteller: { name: '', anschrift: null, kontakt: null },
      formular: { ...beschieden.formular, inhalt: '' },
      aktionen: [],
      eakte: info({
        zustand: 'geloescht',
        zustand_text: 'Zu den Akten, lokale Kopie gelöscht',
        importiert: '2026-12-01T10:05:00Z',
        referenz: 'EA-2026/4711',
        geloescht: '2027-01-02T03:00:00Z',
      }),
    });
    expect((await screen.findByTestId('eakte-geloescht')).textContent).toBe(
      'Die lokale Kopie wurde am 02.01.2027 nach der Übernahme durch die E-Akte gelöscht. E-Akte-Referenz: EA-2026/4711',
    );
    expect(screen.getByTestId('antrag-geloescht').textContent).toContain('EA-2026/4711');
    expect(screen.queryByTestId('formular')).toBeNull();
    fireEvent.click(screen.getByTestId('tab-anlagen'));
    expect(screen.getByText('Dieser Antrag hat keine Anlagen.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('tab-verlauf'));
    expect(screen.getByText('Noch keine Einträge.')).toBeTruthy();
  });

  it('says so when a case has no form data instead of calling it invalid JSON', async () => {
    oeffnen({ ...beschieden, formular: { ...beschieden.formular, inhalt: '' } });
    expect((await screen.findByTestId('formular-leer')).textContent).toBe('Dieser Antrag enthält keine Formulardaten.');
  });
});

describe('E-Akte state above „Abgabe offen“', () => {
  it('shows the target, the hand-overs on their way and the hints as warnings', async () => {
    ipc.eakteStatus.mockResolvedValue({
      eingerichtet: true,
      ziel: 'E-Akte der Stadt (Ordner /srv/eakte/abgabe)',
      unterwegs: 3,
      hinweise: ['Rückmeldung „x.xml“ ist kein xdomea und liegt in „fehlerhaft“.', 'Der Abgabeordner ist voll.'],
    });
    render(<EAkteUebersicht neuLaden={1} />);
    expect((await screen.findByTestId('eakte-unterwegs')).textContent).toBe('3 Abgaben unterwegs');
    expect(screen.getByTestId('eakte-status-ziel').textContent).toBe('Ziel: E-Akte der Stadt (Ordner /srv/eakte/abgabe)');
    expect(screen.getAllByTestId('eakte-hinweis').map((h) => h.textContent)).toEqual([
      'Rückmeldung „x.xml“ ist kein xdomea und liegt in „fehlerhaft“.',
      'Der Abgabeordner ist voll.',
    ]);
    await keineSchwerenVerstoesse(screen.getByTestId('eakte-uebersicht'));
  });

  it('says when no E-Akte is set up, with the backend’s explanation', async () => {
    ipc.eakteStatus.mockResolvedValue({ eingerichtet: false, ziel: 'In der Behördenkonfiguration fehlt [eakte].', unterwegs: 0, hinweise: [] });
    render(<EAkteUebersicht neuLaden={1} />);
    expect((await screen.findByTestId('eakte-nicht-eingerichtet')).textContent).toBe('Keine E-Akte eingerichtet: In der Behördenkonfiguration fehlt [eakte].');
    expect(screen.queryByTestId('eakte-unterwegs')).toBeNull();
  });
});
