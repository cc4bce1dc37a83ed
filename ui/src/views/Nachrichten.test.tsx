import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VorgangDetail } from '../ipc';
import type { NachrichtAnfrage, NachrichtInfo, NachweisStand } from './nachrichtTypen';

const ipc = vi.hoisted(() => ({
  vorgang: vi.fn(),
  vorgangErneut: vi.fn(),
  aufVorgaengeGeaendert: vi.fn(() => () => {}),
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
  briefSpeichern: vi.fn(),
}));
vi.mock('../ipc', () => ipc);

import { NachrichtDialog } from './NachforderungDialog';
import { Vorgang } from './Vorgang';

const SHA_NACHWEIS = 'ab'.repeat(64);

const gesendet: NachrichtInfo = {
  eingehend: false,
  art: 'nachricht',
  art_text: 'Nachricht',
  zeit: '2026-12-01T09:30:00Z',
  von: 'sb1',
  betreff: 'Ihr Antrag HST-2026-000007',
  text: 'Guten Tag,\nbitte rufen Sie uns an.',
  anlagen: ['Merkblatt.pdf'],
  zustellung: 'fehler',
  zustellung_text: 'Fehlgeschlagen',
  fehler: 'Der Zustelldienst hat die Nachricht abgelehnt (Schlüssel abgelaufen).',
  auftrag: 'auftrag-1',
};

const eingegangen: NachrichtInfo = {
  eingehend: true,
  art: 'nachreichung',
  art_text: 'Nachreichung',
  zeit: '2026-12-02T10:00:00Z',
  von: null,
  betreff: 'Unterlagen <b>anbei</b>',
  text: '<script>alert("x")</script>\nZweite Zeile',
  anlagen: ['Impfpass.pdf'],
  zustellung: 'eingegangen',
  zustellung_text: 'Eingegangen',
  fehler: null,
  auftrag: null,
};

const basis: VorgangDetail = {
  id: 'v7',
  aktenzeichen: 'HST-2026-000007',
  leistung: 'Hundesteuer – Anmeldung',
  leika: '99108008001000',
  eingang: '2026-11-30T08:15:00Z',
  antragsteller: { name: 'Anna Schmidt', anschrift: null, kontakt: null },
  status: 'in_pruefung',
  status_text: 'In Prüfung',
  frist: '2026-12-20',
  faelligkeit: 'offen',
  wiedervorlage: null,
  zustaendig: 'sb1',
  prioritaet: 'Normal',
  submission_id: 's-1',
  case_id: 'c-1',
  formular: { format: 'json', schema_uri: 'urn:x', inhalt: '{}', schema: null },
  anlagen: [
    { sha512: SHA_NACHWEIS, dateiname: 'Nachweis.pdf', mime: 'application/pdf', groesse: 204800, geprueft: true, url: 'anlage://localhost/v7/abab' },
  ],
  notizen: [],
  verlauf: [],
  aktionen: [
    { aktion: 'nachfordern', bezeichnung: 'Unterlagen nachfordern', moeglich: true, hinweis: null, bestaetigen: false, eingabe: 'nachforderung' },
  ],
  nachrichten: [eingegangen, gesendet],
  nachforderung: null,
  rueckkanal: { fit_connect: true, hinweis: null, andere: [] },
  nachweise_der_leistung: [
    { id: 'impfpass', bezeichnung: 'Impfpass des Hundes' },
    { id: 'haftpflicht', bezeichnung: 'Nachweis der Hundehaftpflicht' },
    { id: 'chip', bezeichnung: 'Chipnummer' },
  ],
  nachforderungsfrist: '2026-12-17',
};

const nachgefordert: VorgangDetail = {
  ...basis,
  status: 'nachforderung_offen',
  status_text: 'Wartet auf Unterlagen',
  aktionen: [{ ...basis.aktionen[0]!, moeglich: false, hinweis: 'Es läuft bereits eine Nachforderung.' }],
  nachforderung: {
    nachweise: [
      { id: 'impfpass', bezeichnung: 'Impfpass des Hundes', eingegangen: true, wie: 'mit Impfpass.pdf' },
      { id: 'haftpflicht', bezeichnung: 'Nachweis der Hundehaftpflicht', eingegangen: false, wie: null },
    ],
    frist: '2026-12-17',
    gesendet: '2026-12-01T09:00:00Z',
    von: 'sb1',
    abgelaufen: true,
    erinnerungen: [],
  },
};

const ohneKanal: VorgangDetail = {
  ...basis,
  rueckkanal: {
    fit_connect: false,
    hinweis: 'Die antragstellende Person hat keinen FIT-Connect-Rückkanal angegeben.',
    andere: [],
  },
};

const perBrief: NachrichtInfo = {
  eingehend: false,
  art: 'nachricht',
  art_text: 'Nachricht',
  zeit: '2026-12-03T11:00:00Z',
  von: 'sb1',
  betreff: 'Betreff nachricht',
  text: 'Vorlage nachricht: – bis –',
  anlagen: [],
  zustellung: 'brief',
  zustellung_text: 'Per Brief',
  fehler: null,
  auftrag: null,
};

const vorschauBrief = {
  betreff: 'Betreff nachricht',
  text: 'Vorlage nachricht: – bis –',
  nachweise: [],
  frist: null,
  anlagen: [],
  weg: 'Kein FIT-Connect-Rückkanal: Die Nachricht kann nicht elektronisch gesendet werden.',
};

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

async function oeffnen(d: VorgangDetail) {
  ipc.vorgang.mockResolvedValue(d);
  render(<Vorgang id="v7" onZurueck={() => undefined} befehleRef={{ current: null }} />);
  await screen.findByTestId('vorgang-kopf');
}

async function nachrichtenTab() {
  fireEvent.click(screen.getByTestId('tab-nachrichten'));
  return screen.getByRole('tabpanel', { name: /Nachrichten/ });
}

/** The template as the backend fills it, so a test sees which choice it was asked for. */
function entwurfWieBackend() {
  ipc.nachrichtEntwurf.mockImplementation((_id: string, art: string, nachweise: string[], frist?: string | null) =>
    Promise.resolve({ betreff: `Betreff ${art}`, text: `Vorlage ${art}: ${nachweise.join(', ') || '–'} bis ${frist ?? '–'}` }),
  );
}

async function schwereVerstoesse(el: Element) {
  const r = await axe.run(el, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

describe('Nachrichten (conversation with the applicant)', () => {
  it('shows the thread newest first, with direction, German time, plain text and attachments', async () => {
    await oeffnen(basis);
    expect(screen.getByTestId('tab-nachrichten').textContent).toBe('Nachrichten (2)');
    const panel = await nachrichtenTab();
    const n = within(panel).getAllByTestId('nachricht');
    expect(n).toHaveLength(2);
    expect(n[0]!.textContent).toContain('Nachreichung');
    expect(n[0]!.textContent).toContain('Eingegangen');
    expect(n[0]!.textContent).toContain('02.12.2026');
    expect(within(n[0]!).getByTestId('nachricht-anlagen').textContent).toContain('Impfpass.pdf');
    expect(n[1]!.textContent).toContain('Gesendet');
    expect(n[1]!.textContent).toContain('von sb1');
    expect(within(n[1]!).getByTestId('nachricht-zustellung').textContent).toContain('Fehlgeschlagen');
  });

  it('shows text with <script> and markup as text, never as HTML', async () => {
    await oeffnen(basis);
    const panel = await nachrichtenTab();
    const n = within(panel).getAllByTestId('nachricht')[0]!;
    expect(within(n).getByTestId('nachricht-inhalt').textContent).toBe('<script>alert("x")</script>\nZweite Zeile');
    expect(within(n).getByTestId('nachricht-titel').textContent).toBe('Unterlagen <b>anbei</b>');
    expect(panel.querySelector('script')).toBeNull();
    expect(panel.querySelector('b')).toBeNull();
    expect(within(n).getByTestId('nachricht-inhalt').className).toContain('klartext');
  });

  it('renders a failed message with its reason and „Erneut senden“, which queues it again', async () => {
    ipc.nachrichtErneutSenden.mockResolvedValue({
      ...basis,
      nachrichten: [eingegangen, { ...gesendet, zustellung: 'postausgang', zustellung_text: 'Im Postausgang', fehler: null }],
    });
    await oeffnen(basis);
    const panel = await nachrichtenTab();
    const fehlgeschlagen = within(panel).getAllByTestId('nachricht')[1]!;
    expect(fehlgeschlagen.dataset.zustellung).toBe('fehler');
    expect(within(fehlgeschlagen).getByTestId('nachricht-fehler').textContent).toContain('Schlüssel abgelaufen');
    const knopf = within(fehlgeschlagen).getByRole('button', { name: /^Erneut senden/ });
    expect(knopf.dataset.testid).toBe('nachricht-erneut-senden');
    fireEvent.click(knopf);
    await waitFor(() => expect(within(panel).getAllByTestId('nachricht')[1]!.textContent).toContain('Im Postausgang'));
    expect(ipc.nachrichtErneutSenden).toHaveBeenCalledWith('v7', 'auftrag-1');
    expect(within(panel).queryByTestId('nachricht-erneut-senden')).toBeNull();
    expect(screen.getByTestId('nachrichten-meldung').textContent).toContain('wieder im Postausgang');
    expect(document.activeElement).toBe(within(panel).getAllByTestId('nachricht')[1]);
  });

  it('sends a Nachforderung with two checked Nachweise, the Frist and attachments after the preview', async () => {
    entwurfWieBackend();
    ipc.dateiWaehlen.mockResolvedValue({ pfad: '/home/sb/Merkblatt.pdf', name: 'Merkblatt.pdf', groesse: 2048 });
    ipc.nachrichtVorschau.mockResolvedValue({
      betreff: 'Ihr Antrag HST-2026-000007: Bitte reichen Sie Unterlagen nach',
      text: 'Guten Tag Anna Schmidt,\n\n- Impfpass des Hundes\n- Chipnummer',
      nachweise: ['Impfpass des Hundes', 'Chipnummer'],
      frist: '20.12.2026',
      anlagen: ['Nachweis.pdf (200 KB)', 'Merkblatt.pdf (2 KB)'],
      weg: 'FIT-Connect-Rückkanal (verschlüsselt an die antragstellende Person)',
    });
    ipc.nachrichtSenden.mockResolvedValue(nachgefordert);
    await oeffnen(basis);
    const opener = screen.getByTestId('aktion-nachfordern');
    opener.focus();
    fireEvent.click(opener);
    expect(screen.queryByTestId('aktion-dialog')).toBeNull();
    const dialog = screen.getByTestId('nachricht-dialog');
    expect(within(dialog).getByRole('heading', { level: 2 }).textContent).toBe('Unterlagen nachfordern');
    expect(document.activeElement).toBe(within(dialog).getByTestId('nachweis-impfpass'));
    const text = within(dialog).getByLabelText('Text der Nachricht') as HTMLTextAreaElement;
    await waitFor(() => expect(text.value).toBe('Vorlage nachforderung: – bis 2026-12-17'));
    expect((within(dialog).getByLabelText('Frist für die Antwort') as HTMLInputElement).value).toBe('2026-12-17');

    // Chosen in another order than the configuration's; the request keeps the configuration's.
    fireEvent.click(within(dialog).getByLabelText('Chipnummer'));
    fireEvent.click(within(dialog).getByLabelText('Impfpass des Hundes'));
    await waitFor(() => expect(text.value).toBe('Vorlage nachforderung: impfpass, chip bis 2026-12-17'));
    fireEvent.change(within(dialog).getByTestId('nachforderung-frist'), { target: { value: '2026-12-20' } });
    await waitFor(() => expect(text.value).toBe('Vorlage nachforderung: impfpass, chip bis 2026-12-20'));
    expect(ipc.nachrichtEntwurf).toHaveBeenLastCalledWith('v7', 'nachforderung', ['impfpass', 'chip'], '2026-12-20');
    expect((within(dialog).getByLabelText('Betreff') as HTMLInputElement).value).toBe('Betreff nachforderung');

    fireEvent.click(within(dialog).getByTestId('datei-anhaengen'));
    expect(await within(dialog).findByTestId('datei')).toBeTruthy();
    expect(within(dialog).getByTestId('datei').textContent).toContain('Merkblatt.pdf (2 KB)');
    fireEvent.click(within(dialog).getByLabelText('Nachweis.pdf (200 KB)'));

    fireEvent.click(within(dialog).getByTestId('nachricht-vorschau'));
    const erwartet: NachrichtAnfrage = {
      id: 'v7',
      art: 'nachforderung',
      betreff: 'Betreff nachforderung',
      text: 'Vorlage nachforderung: impfpass, chip bis 2026-12-20',
      nachweise: ['impfpass', 'chip'],
      frist: '2026-12-20',
      dateien: ['/home/sb/Merkblatt.pdf'],
      dokumente: [SHA_NACHWEIS],
    };
    await waitFor(() => expect(ipc.nachrichtVorschau).toHaveBeenCalledWith(erwartet));
    const vorschau = await within(dialog).findByTestId('nachricht-vorschau-inhalt');
    expect(within(vorschau).getByTestId('vorschau-betreff').textContent).toBe('Ihr Antrag HST-2026-000007: Bitte reichen Sie Unterlagen nach');
    expect(within(vorschau).getByTestId('vorschau-text').textContent).toBe('Guten Tag Anna Schmidt,\n\n- Impfpass des Hundes\n- Chipnummer');
    expect(within(vorschau).getByTestId('vorschau-nachweise').textContent).toContain('Chipnummer');
    expect(within(vorschau).getByTestId('vorschau-frist').textContent).toBe('20.12.2026');
    expect(within(vorschau).getByTestId('vorschau-anlagen').textContent).toContain('Merkblatt.pdf (2 KB)');
    expect(within(vorschau).getByTestId('vorschau-weg').textContent).toContain('FIT-Connect-Rückkanal');
    expect(ipc.nachrichtSenden).not.toHaveBeenCalled();

    fireEvent.click(within(dialog).getByTestId('nachricht-senden'));
    await waitFor(() => expect(screen.queryByTestId('nachricht-dialog')).toBeNull());
    expect(ipc.nachrichtSenden).toHaveBeenCalledWith(erwartet);
    expect(screen.getByTestId('vorgang-status').textContent).toBe('Wartet auf Unterlagen');
    expect(screen.getByTestId('meldung').textContent).toContain('Die Nachforderung');
    expect(screen.getByTestId('meldung').textContent).toContain('Postausgang');
    // The opener is disabled now (a Nachforderung runs): focus goes to the case heading.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2, name: /HST-2026-000007/ }));
  });

  it('shows a backend error in the dialog and neither closes nor sends', async () => {
    entwurfWieBackend();
    ipc.nachrichtVorschau.mockRejectedValue({ code: 'invalid_input', message: 'Die Frist muss in der Zukunft liegen. Bitte wählen Sie ein späteres Datum.' });
    await oeffnen(basis);
    fireEvent.click(screen.getByTestId('aktion-nachfordern'));
    const dialog = screen.getByTestId('nachricht-dialog');
    fireEvent.click(within(dialog).getByLabelText('Impfpass des Hundes'));
    fireEvent.change(within(dialog).getByTestId('nachforderung-frist'), { target: { value: '2020-01-01' } });
    fireEvent.click(within(dialog).getByTestId('nachricht-vorschau'));
    const alarm = await within(dialog).findByRole('alert');
    expect(alarm.textContent).toContain('Die Frist muss in der Zukunft liegen.');
    expect(screen.getByTestId('nachricht-dialog')).toBe(dialog);
    expect(within(dialog).queryByTestId('nachricht-vorschau-inhalt')).toBeNull();
    expect(within(dialog).getByTestId('nachricht-text')).toBeTruthy();
    expect(ipc.nachrichtSenden).not.toHaveBeenCalled();
    expect(screen.getByTestId('vorgang-status').textContent).toBe('In Prüfung');
  });

  it('keeps the dialog open with the message when sending fails', async () => {
    entwurfWieBackend();
    ipc.nachrichtVorschau.mockResolvedValue({ betreff: 'B', text: 'T', nachweise: [], frist: null, anlagen: [], weg: 'FIT-Connect-Rückkanal' });
    ipc.nachrichtSenden.mockRejectedValue({ code: 'invalid_input', message: '„Scan.exe“ ist keine erlaubte Datei. Bitte hängen Sie ein PDF oder Bild an.' });
    await oeffnen(basis);
    fireEvent.click(await nachrichtenTab().then((p) => within(p).getByTestId('nachricht-schreiben')));
    const dialog = screen.getByTestId('nachricht-dialog');
    await waitFor(() => expect((within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement).value).toContain('Vorlage nachricht'));
    fireEvent.click(within(dialog).getByTestId('nachricht-vorschau'));
    fireEvent.click(await within(dialog).findByTestId('nachricht-senden'));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('keine erlaubte Datei');
    expect(screen.getByTestId('nachricht-dialog')).toBe(dialog);
    expect(screen.getByTestId('meldung').textContent).toBe('');
  });

  it('stops following the template once the text is edited, and can take it up again', async () => {
    entwurfWieBackend();
    await oeffnen(basis);
    fireEvent.click(screen.getByTestId('aktion-nachfordern'));
    const dialog = screen.getByTestId('nachricht-dialog');
    const text = within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement;
    await waitFor(() => expect(text.value).toContain('Vorlage'));
    fireEvent.change(text, { target: { value: 'Eigener Text' } });
    fireEvent.click(within(dialog).getByLabelText('Chipnummer'));
    await act(async () => {});
    expect(text.value).toBe('Eigener Text');
    expect(ipc.nachrichtEntwurf).toHaveBeenCalledTimes(1);
    fireEvent.click(within(dialog).getByTestId('vorlage-neu'));
    await waitFor(() => expect(text.value).toBe('Vorlage nachforderung: chip bis 2026-12-17'));
  });

  it('opens the composer for an Eingangsbestätigung with its template', async () => {
    entwurfWieBackend();
    await oeffnen(basis);
    const panel = await nachrichtenTab();
    fireEvent.click(within(panel).getByTestId('eingangsbestaetigung-senden'));
    const dialog = screen.getByTestId('nachricht-dialog');
    expect(within(dialog).getByText('Eingangsbestätigung senden')).toBeTruthy();
    await waitFor(() =>
      expect(ipc.nachrichtEntwurf.mock.calls.some((c: unknown[]) => c[0] === basis.id && c[1] === 'eingangsbestaetigung')).toBe(true),
    );
  });

  it('closes the composer with Esc and returns focus to the opener', async () => {
    entwurfWieBackend();
    await oeffnen(basis);
    const panel = await nachrichtenTab();
    const opener = within(panel).getByTestId('nachricht-schreiben');
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByTestId('nachricht-dialog');
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(within(dialog).getByTestId('nachricht-text'), { key: 'Escape' });
    expect(screen.queryByTestId('nachricht-dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(ipc.nachrichtVorschau).not.toHaveBeenCalled();
  });

  it('shows the Nachforderung checklist, ticks a Nachweis, and offers the reminder when the Frist has passed', async () => {
    entwurfWieBackend();
    ipc.nachweisAbhaken.mockResolvedValue({
      ...nachgefordert,
      nachforderung: {
        ...nachgefordert.nachforderung!,
        nachweise: nachgefordert.nachforderung!.nachweise.map((n: NachweisStand) => ({ ...n, eingegangen: true, wie: n.wie ?? 'abgehakt von sb1' })),
      },
    });
    await oeffnen(nachgefordert);
    expect(screen.getByTestId('kopf-nachforderung').textContent).toContain('Frist abgelaufen');
    const panel = await nachrichtenTab();
    const nf = within(panel).getByTestId('nachforderung');
    expect(within(nf).getByTestId('frist-abgelaufen').textContent).toContain('17.12.2026');
    expect(within(nf).getByTestId('nachforderung-gesendet').textContent).toContain('von sb1');
    const impfpass = within(nf).getByLabelText('Impfpass des Hundes') as HTMLInputElement;
    expect(impfpass.checked).toBe(true);
    expect(impfpass.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(impfpass.getAttribute('aria-describedby')!)?.textContent).toContain('mit Impfpass.pdf');
    const haftpflicht = within(nf).getByTestId('nachweis-abhaken-haftpflicht') as HTMLInputElement;
    expect(haftpflicht.checked).toBe(false);
    fireEvent.click(haftpflicht);
    await waitFor(() => expect((within(panel).getByTestId('nachweis-abhaken-haftpflicht') as HTMLInputElement).checked).toBe(true));
    expect(ipc.nachweisAbhaken).toHaveBeenCalledWith('v7', 'haftpflicht', true);
    expect(within(panel).getByTestId('nachweis-checkliste').textContent).toContain('2 von 2 eingegangen');

    fireEvent.click(within(panel).getByTestId('erinnerung-senden'));
    const dialog = screen.getByTestId('nachricht-dialog');
    expect(within(dialog).getByRole('heading', { level: 2 }).textContent).toBe('Erinnerung senden');
    expect(within(dialog).queryByTestId('nachweis-auswahl')).toBeNull();
    expect(within(dialog).queryByTestId('nachforderung-frist')).toBeNull();
    await waitFor(() => expect((within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement).value).toBe('Vorlage erinnerung: – bis –'));
    expect(ipc.nachrichtEntwurf).toHaveBeenCalledWith('v7', 'erinnerung', [], null);
  });

  it('without a FIT-Connect reply channel says why and keeps the composer open to use', async () => {
    entwurfWieBackend();
    await oeffnen({
      ...nachgefordert,
      rueckkanal: {
        fit_connect: false,
        hinweis: 'Die antragstellende Person hat keinen FIT-Connect-Rückkanal angegeben.',
        andere: ['E-Mail: anna@example.org', 'Telefon: 0123 456'],
      },
    });
    const panel = await nachrichtenTab();
    const hinweis = within(panel).getByTestId('rueckkanal-hinweis');
    expect(hinweis.textContent).toContain('keinen FIT-Connect-Rückkanal');
    expect(hinweis.textContent).toContain('als Brief');
    expect(hinweis.textContent).toContain('Die antragstellende Person hat außerdem angegeben:');
    expect(within(hinweis).getByTestId('rueckkanal-andere').textContent).toContain('anna@example.org');
    const schreiben = within(panel).getByTestId('nachricht-schreiben') as HTMLButtonElement;
    const erinnern = within(panel).getByTestId('erinnerung-senden') as HTMLButtonElement;
    expect(schreiben.disabled).toBe(false);
    expect(erinnern.disabled).toBe(false);
    expect(document.getElementById(schreiben.getAttribute('aria-describedby')!)?.textContent).toContain('Kein elektronischer Rückkanal');
    fireEvent.click(erinnern);
    const dialog = screen.getByTestId('nachricht-dialog');
    expect(within(dialog).getByRole('heading', { level: 2 }).textContent).toBe('Erinnerung senden');
    expect(within(dialog).getByTestId('dialog-rueckkanal-hinweis').textContent).toContain('keinen FIT-Connect-Rückkanal');
  });

  it('without a reply channel saves the previewed message as a letter and updates the case', async () => {
    entwurfWieBackend();
    ipc.nachrichtVorschau.mockResolvedValue(vorschauBrief);
    ipc.briefSpeichern.mockResolvedValue({ ...ohneKanal, nachrichten: [perBrief, eingegangen, gesendet] });
    await oeffnen(ohneKanal);
    const panel = await nachrichtenTab();
    const opener = within(panel).getByTestId('nachricht-schreiben');
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByTestId('nachricht-dialog');
    const text = within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement;
    await waitFor(() => expect(text.value).toBe('Vorlage nachricht: – bis –'));
    fireEvent.click(within(dialog).getByTestId('nachricht-vorschau'));
    const vorschau = await within(dialog).findByTestId('nachricht-vorschau-inhalt');
    expect(within(vorschau).getByTestId('vorschau-weg').textContent).toContain('Kein FIT-Connect-Rückkanal');
    expect(within(vorschau).queryByTestId('nachricht-senden')).toBeNull();
    const knopf = within(vorschau).getByRole('button', { name: 'Als Brief speichern …' }) as HTMLButtonElement;
    expect(knopf.dataset.testid).toBe('brief-speichern');
    expect(knopf.disabled).toBe(false);
    expect(knopf.className).toContain('primaer');
    const erklaerung = document.getElementById(knopf.getAttribute('aria-describedby')!);
    expect(erklaerung?.textContent).toContain('keinen elektronischen Rückkanal');
    expect(erklaerung?.textContent).toContain('drucken und versenden Sie ihn per Post');
    expect(await schwereVerstoesse(dialog)).toEqual([]);

    fireEvent.click(knopf);
    await waitFor(() => expect(screen.queryByTestId('nachricht-dialog')).toBeNull());
    const erwartet: NachrichtAnfrage = {
      id: 'v7',
      art: 'nachricht',
      betreff: 'Betreff nachricht',
      text: 'Vorlage nachricht: – bis –',
      nachweise: [],
      frist: null,
      dateien: [],
      dokumente: [],
    };
    expect(ipc.briefSpeichern).toHaveBeenCalledTimes(1);
    expect(ipc.briefSpeichern).toHaveBeenCalledWith(erwartet);
    expect(ipc.nachrichtSenden).not.toHaveBeenCalled();
    expect(screen.getByTestId('tab-nachrichten').textContent).toBe('Nachrichten (3)');
    const neueste = within(panel).getAllByTestId('nachricht')[0]!;
    expect(neueste.dataset.zustellung).toBe('brief');
    expect(within(neueste).getByTestId('nachricht-zustellung').textContent).toContain('Per Brief');
    expect(neueste.textContent).toContain('Als Brief erstellt');
    expect(within(neueste).queryByTestId('nachricht-erneut-senden')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps the dialog open and unchanged when the letter’s save dialog is cancelled, and shows an error', async () => {
    entwurfWieBackend();
    ipc.nachrichtVorschau.mockResolvedValue({ ...vorschauBrief, betreff: 'Betreff nachforderung' });
    ipc.briefSpeichern.mockResolvedValueOnce(null);
    await oeffnen(ohneKanal);
    const aktion = screen.getByTestId('aktion-nachfordern') as HTMLButtonElement;
    expect(aktion.disabled).toBe(false);
    fireEvent.click(aktion);
    const dialog = screen.getByTestId('nachricht-dialog');
    fireEvent.click(within(dialog).getByLabelText('Impfpass des Hundes'));
    await waitFor(() =>
      expect((within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement).value).toBe('Vorlage nachforderung: impfpass bis 2026-12-17'),
    );
    fireEvent.click(within(dialog).getByTestId('nachricht-vorschau'));
    const knopf = await within(dialog).findByTestId('brief-speichern');
    knopf.focus();
    fireEvent.click(knopf);
    await waitFor(() => expect(ipc.briefSpeichern).toHaveBeenCalledTimes(1));
    expect(ipc.briefSpeichern).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'v7', art: 'nachforderung', nachweise: ['impfpass'], frist: '2026-12-17' }),
    );
    await waitFor(() => expect(within(dialog).getByTestId('brief-speichern').textContent).toBe('Als Brief speichern …'));
    expect(screen.getByTestId('nachricht-dialog')).toBe(dialog);
    expect(within(dialog).getByTestId('nachricht-vorschau-inhalt')).toBeTruthy();
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(document.activeElement).toBe(within(dialog).getByTestId('brief-speichern'));
    expect(screen.getByTestId('vorgang-status').textContent).toBe('In Prüfung');
    expect(screen.getByTestId('meldung').textContent).toBe('');

    ipc.briefSpeichern.mockRejectedValueOnce({ code: 'internal', message: 'Der Brief konnte nicht gespeichert werden: Zugriff verweigert.' });
    fireEvent.click(within(dialog).getByTestId('brief-speichern'));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('Zugriff verweigert.');
    expect(screen.getByTestId('nachricht-dialog')).toBe(dialog);
    expect(within(dialog).getByTestId('brief-speichern')).toBeTruthy();
    expect(screen.getByTestId('vorgang-status').textContent).toBe('In Prüfung');
    expect(ipc.nachrichtSenden).not.toHaveBeenCalled();
  });

  it('reports a saved letter to its caller as such, with the case after it', async () => {
    entwurfWieBackend();
    ipc.nachrichtVorschau.mockResolvedValue(vorschauBrief);
    const danach = { ...ohneKanal, nachrichten: [perBrief, eingegangen, gesendet] };
    ipc.briefSpeichern.mockResolvedValue(danach);
    const onGesendet = vi.fn();
    render(<NachrichtDialog detail={ohneKanal} art="nachricht" onAbbrechen={() => undefined} onGesendet={onGesendet} />);
    const dialog = screen.getByTestId('nachricht-dialog');
    await waitFor(() => expect((within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement).value).toContain('Vorlage nachricht'));
    fireEvent.click(within(dialog).getByTestId('nachricht-vorschau'));
    fireEvent.click(await within(dialog).findByTestId('brief-speichern'));
    await waitFor(() => expect(onGesendet).toHaveBeenCalledTimes(1));
    expect(onGesendet).toHaveBeenCalledWith(danach, vorschauBrief, 'brief');
  });

  it('has no serious or critical axe violations in the thread and the composer', async () => {
    entwurfWieBackend();
    await oeffnen(nachgefordert);
    const panel = await nachrichtenTab();
    expect(await schwereVerstoesse(panel)).toEqual([]);
    fireEvent.click(within(panel).getByTestId('nachricht-schreiben'));
    const dialog = screen.getByTestId('nachricht-dialog');
    await waitFor(() => expect((within(dialog).getByTestId('nachricht-text') as HTMLTextAreaElement).value).toContain('Vorlage'));
    expect(await schwereVerstoesse(dialog)).toEqual([]);
  });
});
