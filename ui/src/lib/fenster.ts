// Windowing maths of the virtualised queue: which rows to render for a scroll position, and
// which pages to fetch. Fixed row height keeps this exact and O(1) for any number of rows.

export interface Fenster {
  /** Index of the first rendered row. */
  start: number;
  /** Index after the last rendered row (exclusive). */
  ende: number;
  /** Height of the empty space above the rendered rows (px). */
  oben: number;
  /** Height of the empty space below the rendered rows (px). */
  unten: number;
  /** Height of all rows together (px). */
  gesamtHoehe: number;
}

export interface FensterEingabe {
  scrollTop: number;
  /** Visible height of the scroll container (px). */
  sichtHoehe: number;
  zeilenHoehe: number;
  gesamt: number;
  /** Extra rows rendered above and below the visible ones. */
  puffer: number;
}

/** The rows to render for a scroll position. */
export function fenster({ scrollTop, sichtHoehe, zeilenHoehe, gesamt, puffer }: FensterEingabe): Fenster {
  const gesamtHoehe = gesamt * zeilenHoehe;
  if (gesamt <= 0 || zeilenHoehe <= 0) return { start: 0, ende: 0, oben: 0, unten: 0, gesamtHoehe: 0 };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, gesamtHoehe - sichtHoehe));
  const erste = Math.floor(top / zeilenHoehe);
  const sichtbar = Math.ceil(Math.max(sichtHoehe, 0) / zeilenHoehe) + 1;
  const start = Math.max(0, erste - puffer);
  const ende = Math.min(gesamt, erste + sichtbar + puffer);
  return { start, ende, oben: start * zeilenHoehe, unten: (gesamt - ende) * zeilenHoehe, gesamtHoehe };
}

/** Page numbers (of `seitenGroesse` rows each) that hold the rows `start..ende`. */
export function seiten(start: number, ende: number, seitenGroesse: number): number[] {
  if (ende <= start) return [];
  const erste = Math.floor(start / seitenGroesse);
  const letzte = Math.floor((ende - 1) / seitenGroesse);
  const out: number[] = [];
  for (let s = erste; s <= letzte; s += 1) out.push(s);
  return out;
}

/** The scrollTop that brings row `index` into view, or null if it is visible already. */
export function scrollFuer(
  index: number,
  scrollTop: number,
  sichtHoehe: number,
  zeilenHoehe: number,
): number | null {
  const oben = index * zeilenHoehe;
  const unten = oben + zeilenHoehe;
  if (oben < scrollTop) return oben;
  if (unten > scrollTop + sichtHoehe) return unten - sichtHoehe;
  return null;
}
