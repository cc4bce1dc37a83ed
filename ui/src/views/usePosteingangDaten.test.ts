import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnsichtZahlen, IpcError, QueueAnfrage, QueueAntwort, QueueZeile } from '../ipc';

const ipc = vi.hoisted(() => ({
  posteingang: vi.fn(),
  ansichtZahlen: vi.fn(),
  aufVorgaengeGeaendert: vi.fn(),
}));
vi.mock('../ipc', () => ipc);

import { ERSTE_ABFRAGE, seitenAnfrage, usePosteingangDaten, ZEILEN_HOEHE, type Abfrage, type DatenEingabe } from './usePosteingangDaten';

const zeile = (i: number, zusatz = ''): QueueZeile => ({
  id: `v${i}${zusatz}`,
  aktenzeichen: `AZ-${i}`,
  eingang: '2026-11-30T08:15:00Z',
  leistung: 'Hundesteuer – Anmeldung',
  antragsteller: `Person ${i}`,
  status: 'neu',
  status_text: 'Neu',
  frist: null,
  faelligkeit: 'offen',
  wiedervorlage: null,
  zustaendig: null,
  neue_unterlagen: false,
});

const ZAHLEN = { neu: 1, meine: 0, faellig: 0, ueberfaellig: 0, wiedervorlage_heute: 0, alle: 1000, ansichten: [] } as unknown as AnsichtZahlen;

/** Answers like the store: `gesamt` cases, 7 for any search. */
function antwort(a: QueueAnfrage, gesamt = 1000, zusatz = ''): QueueAntwort {
  const n = a.suche ? 7 : gesamt;
  const zeilen: QueueZeile[] = [];
  for (let i = a.offset; i < Math.min(n, a.offset + a.limit); i += 1) zeilen.push(zeile(i, zusatz));
  return { zeilen, gesamt: n, offset: a.offset } as QueueAntwort;
}

/** A promise the test settles by hand. */
function offen<T>() {
  let erfuellen!: (wert: T) => void;
  let ablehnen!: (grund: unknown) => void;
  const promise = new Promise<T>((ja, nein) => {
    erfuellen = ja;
    ablehnen = nein;
  });
  return { promise, erfuellen, ablehnen };
}

const geaendert: { cb: (() => void) | null } = { cb: null };
const abmelden = vi.fn();

beforeEach(() => {
  ipc.posteingang.mockImplementation((a: QueueAnfrage) => Promise.resolve(antwort(a)));
  ipc.ansichtZahlen.mockResolvedValue(ZAHLEN);
  ipc.aufVorgaengeGeaendert.mockImplementation((cb: () => void) => {
    geaendert.cb = cb;
    return abmelden;
  });
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
  geaendert.cb = null;
});

/** No scroll container in these tests (the page cache then counts from the top). */
const KEIN_SCROLLER = { current: null };

const anfragen = (): QueueAnfrage[] => ipc.posteingang.mock.calls.map(([a]) => a as QueueAnfrage);

function starten(eingabe: Partial<DatenEingabe> = {}) {
  const initialProps: DatenEingabe = { abfrage: ERSTE_ABFRAGE, scrollTop: 0, sichtHoehe: 400, scrollRef: KEIN_SCROLLER, ...eingabe };
  return renderHook((p: DatenEingabe) => usePosteingangDaten(p), { initialProps });
}

describe('seitenAnfrage', () => {
  it('asks for 100 rows at the offset of the page, an empty search as none', () => {
    expect(seitenAnfrage(ERSTE_ABFRAGE, 0)).toEqual({ ansicht: 'alle', suche: null, sortierung: 'eingang', absteigend: true, offset: 0, limit: 100 });
    const abfrage: Abfrage = { ansicht: 'meine', suche: 'Bello', sortierung: 'frist', absteigend: false };
    expect(seitenAnfrage(abfrage, 3)).toEqual({ ansicht: 'meine', suche: 'Bello', sortierung: 'frist', absteigend: false, offset: 300, limit: 100 });
  });
});

describe('usePosteingangDaten', () => {
  it('loads the counts and the first page, then knows the total and the rows of the window', async () => {
    const { result } = starten();
    expect(result.current.gesamt).toBeNull();
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    expect(result.current.zahlen).toEqual(ZAHLEN);
    expect(anfragen()).toEqual([seitenAnfrage(ERSTE_ABFRAGE, 0)]);
    expect(result.current.zeileBei(5)?.id).toBe('v5');
    expect(result.current.zeileBei(150)).toBeUndefined();
    // 400 px show 10 rows (+1 partly), 10 rows buffer below.
    expect(result.current.fenster).toMatchObject({ start: 0, ende: 21, oben: 0 });
    expect(result.current.fenster.unten).toBe((1000 - 21) * ZEILEN_HOEHE);
    expect(result.current.fehler).toBeNull();
  });

  it('fetches the pages the scroll position needs, each once', async () => {
    const { result, rerender } = starten();
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    rerender({ abfrage: ERSTE_ABFRAGE, scrollTop: 195 * ZEILEN_HOEHE, sichtHoehe: 400, scrollRef: KEIN_SCROLLER });
    // Rows 185…215 lie on pages 1 and 2.
    await waitFor(() => expect(result.current.zeileBei(215)?.id).toBe('v215'));
    expect(anfragen().map((a) => a.offset)).toEqual([0, 100, 200]);
    expect(result.current.zeileBei(185)?.id).toBe('v185');
  });

  it('starts a new query with an empty cache and ignores late answers of the old one', async () => {
    const alt = offen<QueueAntwort>();
    ipc.posteingang.mockImplementationOnce(() => alt.promise);
    const { result, rerender } = starten();
    const suche: Abfrage = { ...ERSTE_ABFRAGE, suche: 'Müller' };
    rerender({ abfrage: suche, scrollTop: 0, sichtHoehe: 400, scrollRef: KEIN_SCROLLER });
    await waitFor(() => expect(result.current.gesamt).toBe(7));
    expect(anfragen()).toEqual([seitenAnfrage(ERSTE_ABFRAGE, 0), seitenAnfrage(suche, 0)]);
    await act(async () => alt.erfuellen(antwort(seitenAnfrage(ERSTE_ABFRAGE, 0))));
    expect(result.current.gesamt).toBe(7);
    expect(result.current.zeileBei(7)).toBeUndefined();
  });

  it('forgets the rows of the previous query as soon as the query changes', async () => {
    const { result, rerender } = starten();
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    const spaeter = offen<QueueAntwort>();
    ipc.posteingang.mockImplementationOnce(() => spaeter.promise);
    rerender({ abfrage: { ...ERSTE_ABFRAGE, sortierung: 'aktenzeichen', absteigend: false }, scrollTop: 0, sichtHoehe: 400, scrollRef: KEIN_SCROLLER });
    expect(result.current.gesamt).toBeNull();
    expect(result.current.seitenMap.size).toBe(0);
    expect(result.current.zeileBei(0)).toBeUndefined();
    await act(async () => spaeter.erfuellen(antwort(anfragen().at(-1)!)));
    expect(result.current.gesamt).toBe(1000);
  });

  it('reloads counts and visible rows on vorgaenge-geaendert, showing the cached rows until the fresh ones arrive', async () => {
    const { result } = starten();
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    const frisch = offen<QueueAntwort>();
    ipc.posteingang.mockImplementationOnce(() => frisch.promise);
    act(() => geaendert.cb!());
    expect(ipc.ansichtZahlen).toHaveBeenCalledTimes(2);
    expect(anfragen()).toEqual([seitenAnfrage(ERSTE_ABFRAGE, 0), seitenAnfrage(ERSTE_ABFRAGE, 0)]);
    expect(result.current.zeileBei(0)?.id).toBe('v0');
    await act(async () => frisch.erfuellen(antwort(seitenAnfrage(ERSTE_ABFRAGE, 0), 1001, '-neu')));
    expect(result.current.gesamt).toBe(1001);
    expect(result.current.zeileBei(0)?.id).toBe('v0-neu');
  });

  it('reloads the same way when asked (after „Mir zuweisen“)', async () => {
    const { result } = starten();
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    act(() => result.current.neuLaden());
    await waitFor(() => expect(anfragen()).toHaveLength(2));
    expect(ipc.ansichtZahlen).toHaveBeenCalledTimes(2);
  });

  it('reports a failed page and clears the error with the next page that arrives', async () => {
    const fehler: IpcError = { code: 'internal', message: 'Die Datenbank ist nicht erreichbar.' };
    ipc.posteingang.mockImplementationOnce(() => Promise.reject(fehler));
    const { result } = starten();
    await waitFor(() => expect(result.current.fehler).toEqual(fehler));
    expect(result.current.gesamt).toBeNull();
    act(() => result.current.neuLaden());
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    expect(result.current.fehler).toBeNull();
  });

  it('reports failed counts (until a page arrives)', async () => {
    const fehler: IpcError = { code: 'internal', message: 'Die Zahlen fehlen.' };
    ipc.ansichtZahlen.mockRejectedValueOnce(fehler);
    const seite = offen<QueueAntwort>();
    ipc.posteingang.mockImplementationOnce(() => seite.promise);
    const { result } = starten();
    await waitFor(() => expect(result.current.fehler).toEqual(fehler));
    expect(result.current.zahlen).toBeNull();
    await act(async () => seite.erfuellen(antwort(seitenAnfrage(ERSTE_ABFRAGE, 0))));
    expect(result.current.fehler).toBeNull();
  });

  it('asks for the first page of an empty queue again on a change, so new cases show up', async () => {
    ipc.posteingang.mockImplementation((a: QueueAnfrage) => Promise.resolve(antwort(a, 0)));
    const { result } = starten();
    await waitFor(() => expect(result.current.gesamt).toBe(0));
    expect(result.current.fenster).toMatchObject({ start: 0, ende: 0 });
    ipc.posteingang.mockImplementation((a: QueueAnfrage) => Promise.resolve(antwort(a, 20)));
    act(() => geaendert.cb!());
    await waitFor(() => expect(result.current.gesamt).toBe(20));
    expect(result.current.zeileBei(19)?.id).toBe('v19');
  });

  it('stops listening for changes when unmounted', async () => {
    const { result, unmount } = starten();
    await waitFor(() => expect(result.current.gesamt).toBe(1000));
    unmount();
    expect(abmelden).toHaveBeenCalledTimes(1);
  });
});
