import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcError } from '../ipc';

const ipc = vi.hoisted(() => ({ mirZuweisen: vi.fn() }));
vi.mock('../ipc', () => ipc);

import { useAuswahl, type AuswahlEingabe } from './useAuswahl';
import { ZEILEN_HOEHE } from './usePosteingangDaten';

/** A scroll container 400 px high with focusable rows for the indices `von..bis`. */
function liste(von: number, bis: number): HTMLDivElement {
  const el = document.createElement('div');
  Object.defineProperty(el, 'clientHeight', { value: 400 });
  const tbody = el.appendChild(document.createElement('table')).appendChild(document.createElement('tbody'));
  for (let i = von; i <= bis; i += 1) zeileAnhaengen(el, i, tbody);
  document.body.appendChild(el);
  return el;
}

function zeileAnhaengen(el: HTMLDivElement, i: number, tbody = el.querySelector('tbody')!) {
  const tr = tbody.appendChild(document.createElement('tr'));
  tr.dataset.index = String(i);
  tr.tabIndex = -1;
}

let eingabe: AuswahlEingabe;
beforeEach(() => {
  eingabe = {
    gesamt: 100,
    schluessel: 'alle',
    zeilenStand: 0,
    scrollRef: { current: liste(0, 30) },
    setScrollTop: vi.fn(),
    onZugewiesen: vi.fn(),
    onFehler: vi.fn(),
  };
  ipc.mirZuweisen.mockImplementation((ids: string[]) => Promise.resolve(ids.length));
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
  document.body.innerHTML = '';
});

const starten = () => renderHook((p: AuswahlEingabe) => useAuswahl(p), { initialProps: eingabe });

describe('useAuswahl: the selected row', () => {
  it('starts at the first row and keeps the selection within the rows there are', () => {
    const { result } = starten();
    expect(result.current.auswahl).toBe(0);
    act(() => result.current.waehle(-3, false));
    expect(result.current.auswahl).toBe(0);
    act(() => result.current.waehle(500, false));
    expect(result.current.auswahl).toBe(99);
    act(() => result.current.setAuswahl(7));
    expect(result.current.auswahl).toBe(7);
  });

  it('selects nothing while the query has no rows or is still loading', () => {
    const laedt: AuswahlEingabe = { ...eingabe, gesamt: null };
    const { result, rerender } = renderHook((p: AuswahlEingabe) => useAuswahl(p), { initialProps: laedt });
    act(() => result.current.waehle(3, true));
    expect(result.current.auswahl).toBe(0);
    rerender({ ...eingabe, gesamt: 0 });
    act(() => result.current.waehle(3, true));
    expect(result.current.auswahl).toBe(0);
    expect(eingabe.setScrollTop).not.toHaveBeenCalled();
  });

  it('scrolls the selected row into view and reports the new scroll position', () => {
    const { result } = starten();
    const el = eingabe.scrollRef.current!;
    act(() => result.current.waehle(5, false));
    expect(eingabe.setScrollTop).not.toHaveBeenCalled();
    act(() => result.current.waehle(20, false));
    // The row's bottom edge meets the bottom of the area (less one row for the sticky header).
    const ziel = 21 * ZEILEN_HOEHE - (400 - ZEILEN_HOEHE);
    expect(el.scrollTop).toBe(ziel);
    expect(eingabe.setScrollTop).toHaveBeenCalledWith(ziel);
  });

  it('focuses the selected row when asked to, also once a row still loading arrives', () => {
    const { result, rerender } = starten();
    const el = eingabe.scrollRef.current!;
    act(() => result.current.waehle(2, true));
    expect(document.activeElement).toBe(el.querySelector('tr[data-index="2"]'));
    act(() => result.current.waehle(3, false));
    expect(document.activeElement).toBe(el.querySelector('tr[data-index="2"]'));
    act(() => result.current.waehle(40, true));
    expect(result.current.auswahl).toBe(40);
    zeileAnhaengen(el, 40);
    rerender({ ...eingabe, zeilenStand: 1 });
    expect(document.activeElement).toBe(el.querySelector('tr[data-index="40"]'));
  });

  it('goes back to the first row and the top on a new query, keeping the marks', () => {
    const { result, rerender } = starten();
    const el = eingabe.scrollRef.current!;
    act(() => result.current.waehle(20, false));
    act(() => result.current.markieren('v20'));
    vi.mocked(eingabe.setScrollTop).mockClear();
    rerender({ ...eingabe });
    expect(result.current.auswahl).toBe(20);
    rerender({ ...eingabe, schluessel: 'meine' });
    expect(result.current.auswahl).toBe(0);
    expect(el.scrollTop).toBe(0);
    expect(eingabe.setScrollTop).toHaveBeenCalledWith(0);
    expect([...result.current.markiert]).toEqual(['v20']);
  });
});

describe('useAuswahl: marks and „Mir zuweisen“', () => {
  it('marks and unmarks cases, in the order they were marked', () => {
    const { result } = starten();
    act(() => result.current.markieren('v2'));
    act(() => result.current.markieren('v1'));
    act(() => result.current.markieren('v3'));
    act(() => result.current.markieren('v2'));
    expect([...result.current.markiert]).toEqual(['v1', 'v3']);
  });

  it('asks to mark cases first when none are marked', () => {
    const { result } = starten();
    act(() => result.current.zuweisen());
    expect(ipc.mirZuweisen).not.toHaveBeenCalled();
    expect(result.current.meldung).toBe('Bitte markieren Sie zuerst Vorgänge (Kontrollkästchen oder Taste x).');
  });

  it('assigns the marked cases, reports how many, clears the marks and has the data reloaded', async () => {
    const { result } = starten();
    act(() => result.current.markieren('v2'));
    act(() => result.current.markieren('v1'));
    act(() => result.current.zuweisen());
    expect(ipc.mirZuweisen).toHaveBeenCalledWith(['v2', 'v1']);
    await waitFor(() => expect(result.current.meldung).toBe('2 Vorgänge wurden Ihnen zugewiesen.'));
    expect(result.current.markiert.size).toBe(0);
    expect(eingabe.onZugewiesen).toHaveBeenCalledTimes(1);
    act(() => result.current.markieren('v7'));
    act(() => result.current.zuweisen());
    await waitFor(() => expect(result.current.meldung).toBe('1 Vorgang wurde Ihnen zugewiesen.'));
  });

  it('hands a failed assignment on and keeps the marks', async () => {
    const fehler: IpcError = { code: 'offline', message: 'Keine Verbindung.' };
    ipc.mirZuweisen.mockRejectedValueOnce(fehler);
    const { result } = starten();
    act(() => result.current.markieren('v4'));
    act(() => result.current.zuweisen());
    await waitFor(() => expect(eingabe.onFehler).toHaveBeenCalledWith(fehler));
    expect([...result.current.markiert]).toEqual(['v4']);
    expect(eingabe.onZugewiesen).not.toHaveBeenCalled();
    expect(result.current.meldung).toBe('');
  });

  it('shows messages of others (the saved filters) in the same status line', () => {
    const { result } = starten();
    act(() => result.current.setMeldung('Filter „Hunde“ gespeichert.'));
    expect(result.current.meldung).toBe('Filter „Hunde“ gespeichert.');
  });
});
