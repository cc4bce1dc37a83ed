// The data of the queue: counts per view, the total of the current query and the pages of rows
// the visible window needs (fetched by offset/limit, cached, the farthest dropped first). A new
// query starts with an empty cache; `vorgaenge-geaendert` reloads counts and visible rows, keeping
// the cached rows on screen until the fresh ones arrive.

import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import {
  ansichtZahlen,
  aufVorgaengeGeaendert,
  posteingang,
  type Ansicht,
  type AnsichtZahlen,
  type IpcError,
  type QueueAnfrage,
  type QueueZeile,
  type SortSpalte,
} from '../ipc';
import { fenster, seiten, type Fenster } from '../lib/fenster';

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

export interface Seite {
  stand: number;
  zeilen: QueueZeile[];
}

export interface Abfrage {
  ansicht: Ansicht;
  suche: string;
  sortierung: SortSpalte;
  absteigend: boolean;
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

/** Identifies a query; rows and total belong to exactly one. */
export function abfrageSchluessel(abfrage: Abfrage): string {
  return `${abfrage.ansicht}|${abfrage.suche}|${abfrage.sortierung}|${abfrage.absteigend}`;
}

export interface DatenEingabe {
  abfrage: Abfrage;
  /** Scroll position and visible height of the list: they decide which rows (and pages) are needed. */
  scrollTop: number;
  sichtHoehe: number;
  /** The scroll container, read when a page arrives to know which cached pages are farthest. */
  scrollRef: RefObject<HTMLDivElement | null>;
}

export interface PosteingangDaten {
  /** Key of the current query (see `abfrageSchluessel`). */
  schluessel: string;
  zahlen: AnsichtZahlen | null;
  /** Number of cases of the current query; null until its first page arrived. */
  gesamt: number | null;
  /** The rows to render for the scroll position. */
  fenster: Fenster;
  /** The cached pages (changes whenever rows arrive). */
  seitenMap: Map<number, Seite>;
  /** The row at index `i` of the query, if its page is loaded. */
  zeileBei: (i: number) => QueueZeile | undefined;
  fehler: IpcError | null;
  setFehler: (fehler: IpcError | null) => void;
  /** Counts and visible rows again (after a change made here, like „Mir zuweisen“). */
  neuLaden: () => void;
}

export function usePosteingangDaten({ abfrage, scrollTop, sichtHoehe, scrollRef }: DatenEingabe): PosteingangDaten {
  const [zahlen, setZahlen] = useState<AnsichtZahlen | null>(null);
  const [gesamt, setGesamt] = useState<number | null>(null);
  const [seitenMap, setSeitenMap] = useState<Map<number, Seite>>(() => new Map());
  const [stand, setStand] = useState(0);
  const [fehler, setFehler] = useState<IpcError | null>(null);

  const laufend = useRef(new Set<string>());
  const schluessel = abfrageSchluessel(abfrage);
  const schluesselRef = useRef(schluessel);

  // A new query starts with an empty cache.
  useLayoutEffect(() => {
    if (schluesselRef.current === schluessel) return;
    schluesselRef.current = schluessel;
    laufend.current.clear();
    setSeitenMap(new Map());
    setGesamt(null);
  }, [schluessel]);

  const zahlenLaden = useCallback(() => {
    ansichtZahlen().then(setZahlen, (e: IpcError) => setFehler(e));
  }, []);

  useEffect(() => {
    zahlenLaden();
  }, [zahlenLaden]);

  const neuLaden = useCallback(() => {
    zahlenLaden();
    laufend.current.clear();
    setStand((s) => s + 1);
  }, [zahlenLaden]);

  // Live updates: counts and visible rows again, cache kept until fresh rows arrive.
  useEffect(() => aufVorgaengeGeaendert(neuLaden), [neuLaden]);

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
  }, [benoetigtKey, seitenMap, schluessel, stand, abfrage, scrollRef]);

  const zeileBei = (i: number): QueueZeile | undefined => seitenMap.get(Math.floor(i / SEITE))?.zeilen[i % SEITE];

  return { schluessel, zahlen, gesamt, fenster: f, seitenMap, zeileBei, fehler, setFehler, neuLaden };
}
