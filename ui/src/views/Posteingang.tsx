// The queue: views with counts, debounced full-text search, saved filters, a virtualised table
// (own windowing: fixed row height, pages fetched by offset/limit as the user scrolls), sorting
// by any column, row selection and bulk „Mir zuweisen“. Live: reloads counts and visible rows
// on `vorgaenge-geaendert` without losing the scroll position.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  ansichtZahlen,
  aufVorgaengeGeaendert,
  mirZuweisen,
  posteingang,
  type Ansicht,
  type AnsichtZahlen,
  type IpcError,
  type QueueAnfrage,
  type QueueZeile,
  type SortSpalte,
} from '../ipc';
import { datum, zeitpunkt } from '../lib/format';
import { fenster, scrollFuer, seiten } from '../lib/fenster';
import type { Befehl } from '../lib/tasten';
import { ANSICHTEN, AnsichtTabs } from './AnsichtTabs';
import { Fehler } from './Fehler';
import { FilterLeiste } from './FilterLeiste';
import { FristAnzeige } from './FristAnzeige';

export const ZEILEN_HOEHE = 40;
const SEITE = 100;
const PUFFER = 10;
/** Pages kept in memory; the ones farthest from the visible rows are dropped first. */
const MAX_SEITEN = 30;

/** Adds a page to the cache and drops the pages farthest from `mitte` beyond MAX_SEITEN. */
export function seiteAblegen<T>(alt: Map<number, T>, seite: number, wert: T, mitte: number): Map<number, T> {
  const neu = new Map(alt).set(seite, wert);
  if (neu.size <= MAX_SEITEN) return neu;
  const fern = [...neu.keys()].sort((a, b) => Math.abs(b - mitte) - Math.abs(a - mitte));
  for (const k of fern.slice(0, neu.size - MAX_SEITEN)) neu.delete(k);
  return neu;
}


const SPALTEN: readonly { id: SortSpalte; label: string; klasse: string }[] = [
  { id: 'aktenzeichen', label: 'Aktenzeichen', klasse: 'sp-az' },
  { id: 'eingang', label: 'Eingang', klasse: 'sp-eingang' },
  { id: 'leistung', label: 'Leistung', klasse: 'sp-leistung' },
  { id: 'antragsteller', label: 'Antragsteller', klasse: 'sp-antragsteller' },
  { id: 'status', label: 'Status', klasse: 'sp-status' },
  { id: 'frist', label: 'Frist', klasse: 'sp-frist' },
  { id: 'zustaendig', label: 'Zuständig', klasse: 'sp-zustaendig' },
];

interface Seite {
  stand: number;
  zeilen: QueueZeile[];
}

export interface Abfrage {
  ansicht: Ansicht;
  suche: string;
  sortierung: SortSpalte;
  absteigend: boolean;
}

interface Props {
  aktiv: boolean;
  onOeffnen: (id: string) => void;
  /** The view registers its shortcut handler here; returns true if it handled the command. */
  befehleRef: React.MutableRefObject<((b: Befehl) => boolean) | null>;
}

/** What the queue shows first: every case, newest first. */
export const ERSTE_ABFRAGE: Abfrage = { ansicht: 'alle', suche: '', sortierung: 'eingang', absteigend: true };

/** The request for page `p` of `abfrage` (the same object shape for the prefetch at start). */
export function seitenAnfrage(abfrage: Abfrage, p: number): QueueAnfrage {
  return {
    ansicht: abfrage.ansicht,
    suche: abfrage.suche || null,
    sortierung: abfrage.sortierung,
    absteigend: abfrage.absteigend,
    offset: p * SEITE,
    limit: SEITE,
  };
}

export function Posteingang({ aktiv, onOeffnen, befehleRef }: Props) {
  const [abfrage, setAbfrage] = useState<Abfrage>(ERSTE_ABFRAGE);
  const [sucheEingabe, setSucheEingabe] = useState('');
  const [zahlen, setZahlen] = useState<AnsichtZahlen | null>(null);
  const [gesamt, setGesamt] = useState<number | null>(null);
  const [seitenMap, setSeitenMap] = useState<Map<number, Seite>>(() => new Map());
  const [stand, setStand] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [sichtHoehe, setSichtHoehe] = useState(600);
  const [auswahl, setAuswahl] = useState(0);
  const [markiert, setMarkiert] = useState<Set<string>>(() => new Set());
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [meldung, setMeldung] = useState('');
  // Bumped whenever keyboard navigation wants the selected row focused (even if it did not move).
  const [fokusWunsch, setFokusWunsch] = useState(0);

  const scrollRef = useRef<HTMLDivElement>(null);
  const sucheRef = useRef<HTMLInputElement>(null);
  const laufend = useRef(new Set<string>());
  const schluessel = `${abfrage.ansicht}|${abfrage.suche}|${abfrage.sortierung}|${abfrage.absteigend}`;
  const schluesselRef = useRef(schluessel);
  const fokusNachAuswahl = useRef(false);
  const gemerkterScroll = useRef(0);

  // Debounced search: the store's FTS runs 250 ms after the last key press.
  useEffect(() => {
    const t = setTimeout(() => setAbfrage((a) => (a.suche === sucheEingabe.trim() ? a : { ...a, suche: sucheEingabe.trim() })), 250);
    return () => clearTimeout(t);
  }, [sucheEingabe]);

  // A new query starts at the top with an empty cache.
  useLayoutEffect(() => {
    if (schluesselRef.current === schluessel) return;
    schluesselRef.current = schluessel;
    laufend.current.clear();
    setSeitenMap(new Map());
    setGesamt(null);
    setAuswahl(0);
    setScrollTop(0);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [schluessel]);

  const zahlenLaden = useCallback(() => {
    ansichtZahlen().then(setZahlen, (e: IpcError) => setFehler(e));
  }, []);

  useEffect(() => {
    zahlenLaden();
  }, [zahlenLaden]);

  // Live updates: counts and visible rows again, cache kept until fresh rows arrive.
  useEffect(
    () =>
      aufVorgaengeGeaendert(() => {
        zahlenLaden();
        laufend.current.clear();
        setStand((s) => s + 1);
      }),
    [zahlenLaden],
  );

  const f = fenster({ scrollTop, sichtHoehe, zeilenHoehe: ZEILEN_HOEHE, gesamt: gesamt ?? 0, puffer: PUFFER });
  // An empty queue still asks for its first page, so cases that arrive later show up.
  const benoetigt = !gesamt ? [0] : seiten(f.start, f.ende, SEITE);
  const benoetigtKey = benoetigt.join(',');

  useEffect(() => {
    for (const p of benoetigtKey.split(',').filter(Boolean).map(Number)) {
      const s = seitenMap.get(p);
      const kennung = `${schluessel}#${p}#${stand}`;
      if ((s && s.stand >= stand) || laufend.current.has(kennung)) continue;
      laufend.current.add(kennung);
      posteingang(seitenAnfrage(abfrage, p)).then(
        (antwort) => {
          laufend.current.delete(kennung);
          if (schluesselRef.current !== schluessel) return;
          setFehler(null);
          setGesamt(antwort.gesamt);
          setSeitenMap((alt) => seiteAblegen(alt, p, { stand, zeilen: antwort.zeilen }, Math.floor((scrollRef.current?.scrollTop ?? 0) / ZEILEN_HOEHE / SEITE)));
        },
        (e: IpcError) => {
          laufend.current.delete(kennung);
          if (schluesselRef.current === schluessel) setFehler(e);
        },
      );
    }
  }, [benoetigtKey, seitenMap, schluessel, stand, abfrage]);

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

  const zeileBei = (i: number): QueueZeile | undefined => seitenMap.get(Math.floor(i / SEITE))?.zeilen[i % SEITE];

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
    [gesamt],
  );

  useEffect(() => {
    if (!fokusNachAuswahl.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${auswahl}"]`);
    if (row) {
      row.focus({ preventScroll: true });
      fokusNachAuswahl.current = false;
    }
  }, [fokusWunsch, auswahl, seitenMap]);

  const markieren = (id: string) =>
    setMarkiert((m) => {
      const n = new Set(m);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

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
        zahlenLaden();
        laufend.current.clear();
        setStand((s) => s + 1);
      },
      (e: IpcError) => setFehler(e),
    );
  }, [markiert, zahlenLaden]);

  const ansichtWaehlen = (a: Ansicht) => setAbfrage((q) => ({ ...q, ansicht: a }));

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
    if (!z) {
      return (
        <tr key={`l${i}`} role="row" className="zeile laedt" data-index={i} aria-rowindex={i + 2} tabIndex={gewaehlt ? 0 : -1} aria-selected={gewaehlt}>
          <td role="gridcell" colSpan={SPALTEN.length + 1}>
            Wird geladen …
          </td>
        </tr>
      );
    }
    const ist = markiert.has(z.id);
    return (
      <tr
        key={z.id}
        role="row"
        className={`zeile${gewaehlt ? ' gewaehlt' : ''}${ist ? ' markiert' : ''}`}
        data-testid="vorgang-zeile"
        data-id={z.id}
        data-aktenzeichen={z.aktenzeichen}
        data-index={i}
        aria-rowindex={i + 2}
        aria-selected={gewaehlt}
        tabIndex={gewaehlt ? 0 : -1}
        onClick={(e) => {
          // A click on the row opens the case (so does a double-click); the checkbox cell only marks.
          if ((e.target as Element).closest('.sp-wahl')) return;
          setAuswahl(i);
          onOeffnen(z.id);
        }}
        onFocus={() => setAuswahl(i)}
      >
        <td role="gridcell" className="sp-wahl">
          <input type="checkbox" checked={ist} onChange={() => markieren(z.id)} aria-label={`Vorgang ${z.aktenzeichen} markieren`} tabIndex={gewaehlt ? 0 : -1} />
        </td>
        <td role="gridcell" className="sp-az">
          <button
            type="button"
            className="link-knopf"
            data-testid="vorgang-oeffnen"
            tabIndex={gewaehlt ? 0 : -1}
            onClick={(e) => {
              e.stopPropagation();
              onOeffnen(z.id);
            }}
            aria-label={`Vorgang ${z.aktenzeichen} öffnen`}
          >
            {z.aktenzeichen}
          </button>
        </td>
        <td role="gridcell" className="sp-eingang" title={zeitpunkt(z.eingang)}>
          {datum(z.eingang)}
        </td>
        <td role="gridcell" className="sp-leistung" title={z.leistung}>
          {z.leistung}
        </td>
        <td role="gridcell" className="sp-antragsteller" title={z.antragsteller}>
          {z.antragsteller}
        </td>
        <td role="gridcell" className="sp-status" title={z.neue_unterlagen ? `${z.status_text}, neue Unterlagen` : z.status_text}>
          {z.status_text}
          {z.neue_unterlagen && <span className="marke neu"> · neue Unterlagen</span>}
        </td>
        <td role="gridcell" className="sp-frist">
          <FristAnzeige frist={z.frist} faelligkeit={z.faelligkeit} />
          {z.wiedervorlage && <span className="wv"> · WV {datum(z.wiedervorlage)}</span>}
        </td>
        <td role="gridcell" className="sp-zustaendig">{z.zustaendig ?? <span className="leer">nicht zugewiesen</span>}</td>
      </tr>
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
            <tr role="row" aria-rowindex={1}>
              <th role="columnheader" scope="col" className="sp-wahl">
                <span className="unsichtbar">Markierung</span>
              </th>
              {SPALTEN.map((s) => (
                <th
                  key={s.id}
                  role="columnheader"
                  scope="col"
                  className={s.klasse}
                  aria-sort={abfrage.sortierung === s.id ? (abfrage.absteigend ? 'descending' : 'ascending') : 'none'}
                >
                  <button type="button" className="sort-knopf" data-testid={`sort-${s.id}`} onClick={() => sortieren(s.id)}>
                    {s.label}
                    <span aria-hidden="true" className="sort-pfeil">
                      {abfrage.sortierung === s.id ? (abfrage.absteigend ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody role="rowgroup">
            {f.oben > 0 && (
              <tr className="abstand" aria-hidden="true">
                <td colSpan={SPALTEN.length + 1} style={{ height: f.oben }} />
              </tr>
            )}
            {zeilen}
            {f.unten > 0 && (
              <tr className="abstand" aria-hidden="true">
                <td colSpan={SPALTEN.length + 1} style={{ height: f.unten }} />
              </tr>
            )}
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
