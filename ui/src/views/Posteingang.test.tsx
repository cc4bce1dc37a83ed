import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueAnfrage, QueueZeile } from '../ipc';
import type { Befehl } from '../lib/tasten';

const GESAMT = 100_000;
const zeile = (i: number): QueueZeile => ({
  id: `v${i}`,
  aktenzeichen: `AZ-2026-${String(i).padStart(6, '0')}`,
  eingang: '2026-11-30T08:15:00Z',
  leistung: 'Hundesteuer – Anmeldung',
  antragsteller: `Person ${i}`,
  status: 'neu',
  status_text: 'Neu',
  frist: i % 3 === 0 ? '2026-11-20' : null,
  faelligkeit: i % 3 === 0 ? 'ueberfaellig' : 'offen',
  wiedervorlage: null,
  zustaendig: null,
  neue_unterlagen: false,
});

const geaendert: { cb: (() => void) | null } = { cb: null };
const ipc = vi.hoisted(() => ({
  posteingang: vi.fn(),
  ansichtZahlen: vi.fn(),
  aufVorgaengeGeaendert: vi.fn(),
  gespeicherteFilter: vi.fn(),
  filterSpeichern: vi.fn(),
  filterLoeschen: vi.fn(),
  mirZuweisen: vi.fn(),
  eakteStatus: vi.fn(),
}));
vi.mock('../ipc', () => ipc);

import { Posteingang, ZEILEN_HOEHE } from './Posteingang';

let zahlenAufrufe = 0;
beforeEach(() => {
  zahlenAufrufe = 0;
  ipc.posteingang.mockImplementation((a: QueueAnfrage) => {
    const n = a.suche ? 7 : GESAMT;
    const zeilen = [];
    for (let i = a.offset; i < Math.min(n, a.offset + a.limit); i += 1) zeilen.push(zeile(i));
    return Promise.resolve({ zeilen, gesamt: n, offset: a.offset });
  });
  ipc.ansichtZahlen.mockImplementation(() => {
    zahlenAufrufe += 1;
    return Promise.resolve({
      neu: 12,
      meine: 3,
      faellig: 4,
      ueberfaellig: 5,
      wiedervorlage_heute: 1,
      alle: GESAMT + zahlenAufrufe - 1,
      ansichten: [
        { ansicht: 'neu', bezeichnung: 'Neu' },
        { ansicht: 'meine', bezeichnung: 'Meine' },
        { ansicht: 'faellig', bezeichnung: 'Fällig (5 Arbeitstage)' },
        { ansicht: 'ueberfaellig', bezeichnung: 'Überfällig' },
        { ansicht: 'wiedervorlage_heute', bezeichnung: 'Wiedervorlage heute' },
        { ansicht: 'alle', bezeichnung: 'Alle' },
      ],
    });
  });
  ipc.aufVorgaengeGeaendert.mockImplementation((cb: () => void) => {
    geaendert.cb = cb;
    return () => undefined;
  });
  ipc.gespeicherteFilter.mockResolvedValue([]);
  ipc.mirZuweisen.mockImplementation((ids: string[]) => Promise.resolve(ids.length));
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function aufbauen() {
  const befehleRef: { current: ((b: Befehl) => boolean) | null } = { current: null };
  const onOeffnen = vi.fn();
  render(<Posteingang aktiv onOeffnen={onOeffnen} befehleRef={befehleRef} />);
  return { befehleRef, onOeffnen };
}

const letzteAnfrage = (): QueueAnfrage => ipc.posteingang.mock.calls.at(-1)![0] as QueueAnfrage;

describe('Posteingang (virtualised queue)', () => {
  it('renders only a window of rows for 100,000 cases, with the full scroll height', async () => {
    aufbauen();
    await screen.findByText('AZ-2026-000000');
    const rows = screen.getAllByTestId('vorgang-zeile');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.dataset.aktenzeichen).toBe('AZ-2026-000000');
    expect(rows[0]!.dataset.id).toBe('v0');
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe(String(GESAMT + 1));
    const spacer = screen.getByTestId('posteingang').querySelector<HTMLElement>('tr.abstand td');
    expect(parseInt(spacer!.style.height, 10) + rows.length * ZEILEN_HOEHE).toBe(GESAMT * ZEILEN_HOEHE);
    expect(letzteAnfrage()).toMatchObject({ ansicht: 'alle', offset: 0, limit: 100, sortierung: 'eingang', absteigend: true });
  });

  it('fetches the page at the scroll position by offset and limit', async () => {
    aufbauen();
    await screen.findByText('AZ-2026-000000');
    const scroller = screen.getByTestId('posteingang');
    scroller.scrollTop = 50_000 * ZEILEN_HOEHE;
    fireEvent.scroll(scroller);
    await screen.findByText('AZ-2026-050000');
    expect(ipc.posteingang.mock.calls.some(([a]) => (a as QueueAnfrage).offset === 49_900)).toBe(true);
    expect(screen.queryByText('AZ-2026-000000')).toBeNull();
    const idx = screen.getAllByTestId('vorgang-zeile').map((r) => Number(r.getAttribute('aria-rowindex')));
    expect(Math.min(...idx)).toBeGreaterThan(49_900);
  });

  it('shows the deadline state as text, not by colour alone', async () => {
    aufbauen();
    const row = (await screen.findByText('AZ-2026-000000')).closest('tr')!;
    expect(row.textContent).toContain('20.11.2026');
    expect(row.textContent).toContain('überfällig');
  });

  it('sorts by a clicked column header and toggles the direction, announced with aria-sort', async () => {
    aufbauen();
    await screen.findByText('AZ-2026-000000');
    const th = screen.getByTestId('sort-aktenzeichen').closest('th')!;
    expect(th.getAttribute('aria-sort')).toBe('none');
    fireEvent.click(screen.getByTestId('sort-aktenzeichen'));
    await waitFor(() => expect(letzteAnfrage()).toMatchObject({ sortierung: 'aktenzeichen', absteigend: false, offset: 0 }));
    expect(th.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(screen.getByTestId('sort-aktenzeichen'));
    await waitFor(() => expect(letzteAnfrage()).toMatchObject({ sortierung: 'aktenzeichen', absteigend: true }));
    expect(th.getAttribute('aria-sort')).toBe('descending');
  });

  it('shows every view with its count and switches the view on click', async () => {
    aufbauen();
    await waitFor(() => expect(screen.getByTestId('ansicht-neu').textContent).toBe('Neu (12)'));
    // The name is Rust's (from the authority's deadline catalogue), not the UI's.
    expect(screen.getByTestId('ansicht-faellig').textContent).toBe('Fällig (5 Arbeitstage) (4)');
    expect(screen.getByTestId('ansicht-wiedervorlage_heute').textContent).toContain('(1)');
    fireEvent.click(screen.getByTestId('ansicht-ueberfaellig'));
    await waitFor(() => expect(letzteAnfrage().ansicht).toBe('ueberfaellig'));
    expect(screen.getByTestId('ansicht-ueberfaellig').getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(screen.getByTestId('ansicht-ueberfaellig'), { key: 'ArrowRight' });
    await waitFor(() => expect(letzteAnfrage().ansicht).toBe('wiedervorlage_heute'));
    expect(document.activeElement).toBe(screen.getByTestId('ansicht-wiedervorlage_heute'));
    expect(screen.getAllByRole('tab').filter((t) => t.tabIndex === 0)).toHaveLength(1);
  });

  it('has the view „Abgabe offen“ as the eighth tab (key 8), with the E-Akte’s state above its list', async () => {
    const alt = ipc.ansichtZahlen.getMockImplementation()!;
    ipc.ansichtZahlen.mockImplementation(() =>
      (alt() as Promise<Record<string, unknown> & { ansichten: unknown[] }>).then((z) => ({
        ...z,
        zur_freigabe: 0,
        abgabe_offen: 2,
        ansichten: [...z.ansichten, { ansicht: 'zur_freigabe', bezeichnung: 'Zur Freigabe' }, { ansicht: 'abgabe_offen', bezeichnung: 'Abgabe offen' }],
      })),
    );
    ipc.eakteStatus.mockResolvedValue({ eingerichtet: true, ziel: 'Demo-E-Akte', unterwegs: 1, hinweise: ['Der Abgabeordner ist voll.'] });
    const { befehleRef } = aufbauen();
    const tabs = await screen.findAllByRole('tab');
    expect(tabs).toHaveLength(8);
    const tab = screen.getByTestId('ansicht-abgabe_offen');
    expect(tabs[7]).toBe(tab);
    await waitFor(() => expect(tab.textContent).toBe('Abgabe offen (2)'));
    expect(tab.getAttribute('aria-keyshortcuts')).toBe('8');
    expect(screen.queryByTestId('eakte-uebersicht')).toBeNull();
    expect(ipc.eakteStatus).not.toHaveBeenCalled();
    act(() => {
      expect(befehleRef.current!('ansicht_8')).toBe(true);
    });
    await waitFor(() => expect(letzteAnfrage().ansicht).toBe('abgabe_offen'));
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect((await screen.findByTestId('eakte-unterwegs')).textContent).toBe('1 Abgabe unterwegs');
    expect(screen.getByTestId('eakte-hinweis').textContent).toBe('Der Abgabeordner ist voll.');
    fireEvent.keyDown(tab, { key: 'Home' });
    await waitFor(() => expect(letzteAnfrage().ansicht).toBe('neu'));
    expect(screen.queryByTestId('eakte-uebersicht')).toBeNull();
  });

  it('searches with the debounced text of the search field', async () => {
    aufbauen();
    await screen.findByText('AZ-2026-000000');
    fireEvent.change(screen.getByTestId('suche'), { target: { value: 'Müller' } });
    fireEvent.change(screen.getByTestId('suche'), { target: { value: 'Müller Bonn' } });
    await waitFor(() => expect(letzteAnfrage().suche).toBe('Müller Bonn'));
    expect(ipc.posteingang.mock.calls.some(([a]) => (a as QueueAnfrage).suche === 'Müller')).toBe(false);
    await waitFor(() => expect(screen.getAllByTestId('vorgang-zeile')).toHaveLength(7));
  });

  it('moves with j/k, marks with x, assigns the marked cases to me and opens with Enter', async () => {
    const { befehleRef, onOeffnen } = aufbauen();
    await screen.findByText('AZ-2026-000000');
    act(() => {
      befehleRef.current!('naechste');
    });
    act(() => {
      befehleRef.current!('naechste');
    });
    act(() => {
      befehleRef.current!('markieren');
    });
    act(() => {
      befehleRef.current!('vorige');
    });
    act(() => {
      befehleRef.current!('markieren');
    });
    expect(screen.getByText('2 Vorgänge markiert')).toBeTruthy();
    expect(document.activeElement?.getAttribute('data-id')).toBe('v1');
    act(() => {
      befehleRef.current!('oeffnen');
    });
    expect(onOeffnen).toHaveBeenCalledWith('v1');
    fireEvent.click(screen.getByTestId('mir-zuweisen'));
    await waitFor(() => expect(ipc.mirZuweisen).toHaveBeenCalledWith(['v2', 'v1']));
    expect(await screen.findByText('2 Vorgänge wurden Ihnen zugewiesen.')).toBeTruthy();
  });

  it('opens a case with a click (or double-click) on its row, while a click on the checkbox only marks', async () => {
    const { onOeffnen } = aufbauen();
    const row = (await screen.findByText('AZ-2026-000003')).closest('tr')!;
    fireEvent.click(within(row).getByRole('checkbox'));
    expect(onOeffnen).not.toHaveBeenCalled();
    expect(screen.getByText('1 Vorgang markiert')).toBeTruthy();
    fireEvent.click(within(row).getByText('Person 3'));
    expect(onOeffnen).toHaveBeenCalledWith('v3');
    fireEvent.click(within(row).getByTestId('vorgang-oeffnen'));
    expect(onOeffnen).toHaveBeenCalledTimes(2);
  });

  it('reloads counts and visible rows when cases change, keeping the scroll position', async () => {
    aufbauen();
    await screen.findByText('AZ-2026-000000');
    const scroller = screen.getByTestId('posteingang');
    scroller.scrollTop = 1_000 * ZEILEN_HOEHE;
    fireEvent.scroll(scroller);
    await screen.findByText('AZ-2026-001000');
    const vorher = ipc.posteingang.mock.calls.length;
    act(() => geaendert.cb!());
    await waitFor(() => expect(screen.getByTestId('ansicht-alle').textContent).toBe(`Alle (${GESAMT + 1})`));
    await waitFor(() => expect(ipc.posteingang.mock.calls.length).toBeGreaterThan(vorher));
    const neu = ipc.posteingang.mock.calls.slice(vorher).map(([a]) => (a as QueueAnfrage).offset);
    expect(neu).toContain(1_000);
    expect(scroller.scrollTop).toBe(1_000 * ZEILEN_HOEHE);
    expect(screen.getByText('AZ-2026-001000')).toBeTruthy();
  });

  it('shows cases that arrive after it started empty', async () => {
    let da = 0;
    ipc.posteingang.mockImplementation((a: QueueAnfrage) => {
      const zeilen = [];
      for (let i = a.offset; i < Math.min(da, a.offset + a.limit); i += 1) zeilen.push(zeile(i));
      return Promise.resolve({ zeilen, gesamt: da, offset: a.offset });
    });
    aufbauen();
    expect((await screen.findByTestId('empty-state')).textContent).toContain('keine Vorgänge');
    da = 20;
    act(() => geaendert.cb!());
    await waitFor(() => expect(screen.getAllByTestId('vorgang-zeile')).toHaveLength(20));
    expect(screen.queryByTestId('empty-state')).toBeNull();
  });

  it('saves the current view, search and sort as a named filter', async () => {
    ipc.filterSpeichern.mockImplementation((f: unknown) => Promise.resolve([f]));
    aufbauen();
    await screen.findByText('AZ-2026-000000');
    fireEvent.click(screen.getByTestId('ansicht-meine'));
    fireEvent.change(screen.getByTestId('suche'), { target: { value: 'Bello' } });
    fireEvent.change(screen.getByTestId('filter-name'), { target: { value: 'Meine Hunde' } });
    fireEvent.keyDown(screen.getByTestId('filter-name'), { key: 'Enter' });
    await waitFor(() =>
      expect(ipc.filterSpeichern).toHaveBeenCalledWith({
        name: 'Meine Hunde',
        anfrage: expect.objectContaining({ ansicht: 'meine', suche: 'Bello', sortierung: 'eingang', absteigend: true }),
      }),
    );
    expect(await screen.findByRole('option', { name: 'Meine Hunde' })).toBeTruthy();
    fireEvent.click(screen.getByTestId('ansicht-alle'));
    fireEvent.click(screen.getByTestId('filter-anwenden'));
    await waitFor(() => expect(letzteAnfrage()).toMatchObject({ ansicht: 'meine', suche: 'Bello' }));
    ipc.filterLoeschen.mockResolvedValue([]);
    fireEvent.click(screen.getByTestId('filter-loeschen'));
    await waitFor(() => expect(ipc.filterLoeschen).toHaveBeenCalledWith('Meine Hunde'));
    await waitFor(() => expect(screen.queryByRole('option', { name: 'Meine Hunde' })).toBeNull());
  });
});

describe('page cache of the queue', () => {
  it('keeps at most 30 pages and drops the ones farthest from the visible rows', async () => {
    const { seiteAblegen } = await import('./Posteingang');
    let m = new Map<number, string>();
    for (let p = 0; p < 40; p += 1) m = seiteAblegen(m, p, `s${p}`, p);
    expect(m.size).toBe(30);
    expect(m.has(39)).toBe(true);
    expect(m.has(0)).toBe(false);
    m = seiteAblegen(m, 500, 'weit', 20);
    expect(m.size).toBe(30);
    expect(m.has(500)).toBe(false);
  });
});
