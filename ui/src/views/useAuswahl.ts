// The selection of the queue: the selected row (moved by keyboard, scrolled into view and focused,
// back to the first row on a new query) and the marked rows (checkbox or x) that „Mir zuweisen“
// assigns at once, with the status line that reports it.

import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { mirZuweisen, type IpcError } from '../ipc';
import { scrollFuer } from '../lib/fenster';
import { ZEILEN_HOEHE } from './usePosteingangDaten';

export interface AuswahlEingabe {
  /** Number of rows of the current query; nothing is selected while it is 0 or unknown. */
  gesamt: number | null;
  /** Key of the current query: a new one selects the first row and scrolls to the top. */
  schluessel: string;
  /** Changes whenever rows arrive, so a wished focus reaches the row that replaced its placeholder. */
  zeilenStand: unknown;
  /** The scroll container holding the rows (`tr[data-index]`). */
  scrollRef: RefObject<HTMLDivElement | null>;
  /** Told the scroll position when the selection scrolls the list. */
  setScrollTop: (top: number) => void;
  /** After „Mir zuweisen“ succeeded (counts and rows are stale then). */
  onZugewiesen: () => void;
  onFehler: (fehler: IpcError) => void;
}

export interface Auswahl {
  /** Index of the selected row. */
  auswahl: number;
  setAuswahl: (i: number) => void;
  /** Selects row `i` (clamped to the rows there are), scrolls it into view, focuses it if `fokus`. */
  waehle: (i: number, fokus: boolean) => void;
  /** Ids of the marked cases, in the order they were marked. */
  markiert: ReadonlySet<string>;
  /** Marks the case, or unmarks it if it is marked. */
  markieren: (id: string) => void;
  /** Assigns the marked cases to the user of the session. */
  zuweisen: () => void;
  meldung: string;
  setMeldung: (meldung: string) => void;
}

export function useAuswahl({ gesamt, schluessel, zeilenStand, scrollRef, setScrollTop, onZugewiesen, onFehler }: AuswahlEingabe): Auswahl {
  const [auswahl, setAuswahl] = useState(0);
  const [markiert, setMarkiert] = useState<Set<string>>(() => new Set());
  const [meldung, setMeldung] = useState('');
  // Bumped whenever keyboard navigation wants the selected row focused (even if it did not move).
  const [fokusWunsch, setFokusWunsch] = useState(0);
  const fokusNachAuswahl = useRef(false);
  const bisherigerSchluessel = useRef(schluessel);

  // A new query starts at the top, its first row selected.
  useLayoutEffect(() => {
    if (bisherigerSchluessel.current === schluessel) return;
    bisherigerSchluessel.current = schluessel;
    setAuswahl(0);
    setScrollTop(0);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [schluessel, scrollRef, setScrollTop]);

  const waehle = useCallback(
    (i: number, fokus: boolean) => {
      const n = gesamt ?? 0;
      if (n === 0) return;
      const idx = Math.min(Math.max(0, i), n - 1);
      setAuswahl(idx);
      const el = scrollRef.current;
      if (el) {
        const ziel = scrollFuer(idx, el.scrollTop, el.clientHeight - ZEILEN_HOEHE, ZEILEN_HOEHE);
        if (ziel !== null) {
          el.scrollTop = ziel;
          setScrollTop(ziel);
        }
      }
      fokusNachAuswahl.current = fokus;
      if (fokus) setFokusWunsch((n) => n + 1);
    },
    [gesamt, scrollRef, setScrollTop],
  );

  useEffect(() => {
    if (!fokusNachAuswahl.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${auswahl}"]`);
    if (row) {
      row.focus({ preventScroll: true });
      fokusNachAuswahl.current = false;
    }
  }, [fokusWunsch, auswahl, zeilenStand, scrollRef]);

  const markieren = useCallback(
    (id: string) =>
      setMarkiert((m) => {
        const n = new Set(m);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    [],
  );

  const zuweisen = useCallback(() => {
    const ids = Array.from(markiert);
    if (ids.length === 0) {
      setMeldung('Bitte markieren Sie zuerst Vorgänge (Kontrollkästchen oder Taste x).');
      return;
    }
    mirZuweisen(ids).then(
      (n) => {
        setMeldung(n === 1 ? '1 Vorgang wurde Ihnen zugewiesen.' : `${n} Vorgänge wurden Ihnen zugewiesen.`);
        setMarkiert(new Set());
        onZugewiesen();
      },
      (e: IpcError) => onFehler(e),
    );
  }, [markiert, onZugewiesen, onFehler]);

  return { auswahl, setAuswahl, waehle, markiert, markieren, zuweisen, meldung, setMeldung };
}
