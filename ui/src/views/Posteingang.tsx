// The queue: views with counts, debounced full-text search, saved filters, a virtualised table
// (own windowing: fixed row height, pages fetched by offset/limit as the user scrolls), sorting
// by any column, row selection and bulk „Mir zuweisen“. Above the view „Abgabe offen“ the
// E-Akte's state (target, hand-overs on their way, hints to act on). Live: reloads counts and
// visible rows on `vorgaenge-geaendert` without losing the scroll position. Loading and paging
// live in usePosteingangDaten, the selection and marks in useAuswahl; this file composes and
// renders.

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Ansicht, SortSpalte } from '../ipc';
import type { Befehl } from '../lib/tasten';
import { ANSICHTEN, AnsichtTabs } from './AnsichtTabs';
import { EAkteUebersicht } from './EAkte';
import { Fehler } from './Fehler';
import { FilterLeiste } from './FilterLeiste';
import { AbstandsZeile, LadeZeile, Spaltenkoepfe, VorgangZeile } from './PosteingangZeile';
import { useAuswahl } from './useAuswahl';
import { ERSTE_ABFRAGE, seitenAnfrage, usePosteingangDaten, ZEILEN_HOEHE, type Abfrage } from './usePosteingangDaten';

export { ERSTE_ABFRAGE, seiteAblegen, seitenAnfrage, ZEILEN_HOEHE, type Abfrage } from './usePosteingangDaten';

interface Props {
  aktiv: boolean;
  /** A view to switch to when the Posteingang becomes active (navigation „Meine Vorgänge“). */
  vorgabe?: Ansicht | null;
  onOeffnen: (id: string) => void;
  /** The view registers its shortcut handler here; returns true if it handled the command. */
  befehleRef: React.MutableRefObject<((b: Befehl) => boolean) | null>;
}

export function Posteingang({ aktiv, vorgabe = null, onOeffnen, befehleRef }: Props) {
  const [abfrage, setAbfrage] = useState<Abfrage>(ERSTE_ABFRAGE);
  const [sucheEingabe, setSucheEingabe] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [sichtHoehe, setSichtHoehe] = useState(600);

  const scrollRef = useRef<HTMLDivElement>(null);
  const sucheRef = useRef<HTMLInputElement>(null);
  const gemerkterScroll = useRef(0);

  // Debounced search: the store's FTS runs 250 ms after the last key press.
  useEffect(() => {
    const t = setTimeout(() => setAbfrage((a) => (a.suche === sucheEingabe.trim() ? a : { ...a, suche: sucheEingabe.trim() })), 250);
    return () => clearTimeout(t);
  }, [sucheEingabe]);

  const { schluessel, zahlen, gesamt, fenster: f, seitenMap, zeileBei, fehler, setFehler, neuLaden } = usePosteingangDaten({
    abfrage,
    scrollTop,
    sichtHoehe,
    scrollRef,
  });
  const { auswahl, setAuswahl, waehle, markiert, markieren, zuweisen, meldung, setMeldung } = useAuswahl({
    gesamt,
    schluessel,
    zeilenStand: seitenMap,
    scrollRef,
    setScrollTop,
    onZugewiesen: neuLaden,
    onFehler: setFehler,
  });

  // Track the visible height of the scroll area.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const messen = () => setSichtHoehe(el.clientHeight || 600);
    messen();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(messen);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Coming back from a case: restore the scroll position the list had.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (aktiv && el) {
      el.scrollTop = gemerkterScroll.current;
      setScrollTop(gemerkterScroll.current);
      if (gesamt) {
        const row = el.querySelector<HTMLElement>(`tr[data-index="${auswahl}"]`);
        row?.focus({ preventScroll: true });
      }
    }
    // Only when the view becomes active again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [aktiv]);

  const ansichtWaehlen = (a: Ansicht) => setAbfrage((q) => ({ ...q, ansicht: a }));

  // „Meine Vorgänge“ in the navigation: the view „Meine“, each time it is chosen (state
  // adjusted while rendering, as React advises for props that reset state).
  const vorgabeJetzt = aktiv ? vorgabe : null;
  const [vorgabeGesehen, setVorgabeGesehen] = useState<Ansicht | null>(null);
  if (vorgabeJetzt !== vorgabeGesehen) {
    setVorgabeGesehen(vorgabeJetzt);
    if (vorgabeJetzt && abfrage.ansicht !== vorgabeJetzt) setAbfrage({ ...abfrage, ansicht: vorgabeJetzt });
  }

  const sortieren = (s: SortSpalte) =>
    setAbfrage((q) => (q.sortierung === s ? { ...q, absteigend: !q.absteigend } : { ...q, sortierung: s, absteigend: s === 'eingang' }));

  // Shortcut handler of this view.
  useEffect(() => {
    if (!aktiv) return;
    befehleRef.current = (b: Befehl) => {
      const n = gesamt ?? 0;
      switch (b) {
        case 'suche':
          sucheRef.current?.focus();
          sucheRef.current?.select();
          return true;
        case 'naechste':
          waehle(auswahl + 1, true);
          return true;
        case 'vorige':
          waehle(auswahl - 1, true);
          return true;
        case 'erste':
          waehle(0, true);
          return true;
        case 'letzte':
          waehle(n - 1, true);
          return true;
        case 'oeffnen': {
          const z = zeileBei(auswahl);
          if (z) onOeffnen(z.id);
          return Boolean(z);
        }
        case 'markieren': {
          const z = zeileBei(auswahl);
          if (z) markieren(z.id);
          return Boolean(z);
        }
        case 'mir_zuweisen':
          zuweisen();
          return true;
        default: {
          const m = /^ansicht_(\d)$/.exec(b);
          const a = m ? ANSICHTEN[Number(m[1]) - 1] : undefined;
          if (a) {
            ansichtWaehlen(a);
            return true;
          }
          return false;
        }
      }
    };
    return () => {
      befehleRef.current = null;
    };
  });

  const indizes = Array.from({ length: Math.max(0, f.ende - f.start) }, (_, k) => f.start + k);
  const zeilen = indizes.map((i) => {
    const z = zeileBei(i);
    const gewaehlt = i === auswahl;
    if (!z) return <LadeZeile key={`l${i}`} index={i} gewaehlt={gewaehlt} />;
    return (
      <VorgangZeile key={z.id} index={i} zeile={z} gewaehlt={gewaehlt} markiert={markiert.has(z.id)} onWaehlen={setAuswahl} onOeffnen={onOeffnen} onMarkieren={markieren} />
    );
  });

  return (
    <div className="posteingang-seite">
      <div className="werkzeuge">
        <AnsichtTabs ansicht={abfrage.ansicht} zahlen={zahlen} onWaehlen={ansichtWaehlen} />
        <div className="suchzeile">
          <label htmlFor="suche" className="suche-label">
            Suche
          </label>
          <input
            id="suche"
            ref={sucheRef}
            type="search"
            data-testid="suche"
            value={sucheEingabe}
            onChange={(e) => setSucheEingabe(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && sucheEingabe) {
                setSucheEingabe('');
                e.stopPropagation();
              } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
                // Into the list: the selected row if it is on screen, else the first visible one.
                e.preventDefault();
                const oben = Math.ceil(scrollTop / ZEILEN_HOEHE);
                const unten = Math.floor((scrollTop + sichtHoehe) / ZEILEN_HOEHE) - 2;
                waehle(auswahl >= oben && auswahl <= unten ? auswahl : oben, true);
              }
            }}
            placeholder="Aktenzeichen, Name, Formulartext, Notizen … (Taste /)"
            aria-keyshortcuts="/"
            aria-describedby="suche-hinweis"
          />
          <span id="suche-hinweis" className="unsichtbar">
            Volltextsuche innerhalb der gewählten Ansicht. Pfeil nach unten springt in die Liste.
          </span>
          <FilterLeiste
            aktuelleAnfrage={() => seitenAnfrage({ ...abfrage, suche: sucheEingabe.trim() }, 0)}
            onAnwenden={(q) => {
              setSucheEingabe(q.suche ?? '');
              setAbfrage({ ansicht: q.ansicht, suche: q.suche ?? '', sortierung: q.sortierung, absteigend: q.absteigend });
            }}
            onMeldung={setMeldung}
            onFehler={setFehler}
          />
        </div>
        <div className="sammel">
          <span>{markiert.size === 1 ? '1 Vorgang markiert' : `${markiert.size} Vorgänge markiert`}</span>
          <button type="button" className="knopf" data-testid="mir-zuweisen" onClick={zuweisen} disabled={markiert.size === 0} aria-keyshortcuts="m">
            Mir zuweisen
          </button>
          <span className="meldung" role="status" data-testid="meldung">
            {meldung}
          </span>
        </div>
      </div>
      {fehler && <Fehler fehler={fehler} />}
      {abfrage.ansicht === 'abgabe_offen' && <EAkteUebersicht neuLaden={zahlen} />}
      <div
        className="queue-scroll"
        ref={scrollRef}
        id="posteingang-liste"
        role="tabpanel"
        aria-labelledby={`ansicht-tab-${abfrage.ansicht}`}
        data-testid="posteingang"
        onScroll={(e) => {
          const t = e.currentTarget.scrollTop;
          gemerkterScroll.current = t;
          setScrollTop(t);
        }}
      >
        <table className="queue" role="grid" aria-label="Posteingang" aria-rowcount={(gesamt ?? 0) + 1} aria-multiselectable="false">
          <thead role="rowgroup">
            <Spaltenkoepfe sortierung={abfrage.sortierung} absteigend={abfrage.absteigend} onSortieren={sortieren} />
          </thead>
          <tbody role="rowgroup">
            {f.oben > 0 && <AbstandsZeile hoehe={f.oben} />}
            {zeilen}
            {f.unten > 0 && <AbstandsZeile hoehe={f.unten} />}
          </tbody>
        </table>
        {gesamt === 0 && (
          <p className="empty" data-testid="empty-state">
            {abfrage.suche
              ? `Keine Vorgänge zur Suche „${abfrage.suche}“ in dieser Ansicht.`
              : abfrage.ansicht === 'alle'
                ? 'Es liegen keine Vorgänge vor. Neue Anträge erscheinen hier, sobald sie abgerufen wurden.'
                : 'In dieser Ansicht liegen keine Vorgänge vor.'}
          </p>
        )}
      </div>
      <p className="zusammenfassung" aria-live="polite">
        {gesamt === null ? 'Vorgänge werden geladen …' : gesamt === 1 ? '1 Vorgang' : `${gesamt.toLocaleString('de-DE')} Vorgänge`}
      </p>
    </div>
  );
}
