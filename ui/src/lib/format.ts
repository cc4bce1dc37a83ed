// German formatting of dates, times, sizes and money for display. Pure functions, tested in
// format.test.ts. Dates from the backend are `YYYY-MM-DD`, timestamps RFC 3339.

const DATUM = /^(\d{4})-(\d{2})-(\d{2})$/;
const ZEITSTEMPEL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** `YYYY-MM-DD` or an RFC 3339 timestamp → `TT.MM.JJJJ`; anything else is returned unchanged. */
export function datum(wert: string | null | undefined): string {
  if (!wert) return '';
  const m = DATUM.exec(wert);
  if (m) return `${m[3]}.${m[2]}.${m[1]}`;
  if (ZEITSTEMPEL.test(wert)) {
    const d = new Date(wert);
    if (!Number.isNaN(d.getTime())) return `${zwei(d.getDate())}.${zwei(d.getMonth() + 1)}.${d.getFullYear()}`;
  }
  return wert;
}

/** RFC 3339 timestamp → `TT.MM.JJJJ, HH:MM` in local time; anything else unchanged. */
export function zeitpunkt(wert: string | null | undefined): string {
  if (!wert) return '';
  if (!ZEITSTEMPEL.test(wert)) return datum(wert);
  const d = new Date(wert);
  if (Number.isNaN(d.getTime())) return wert;
  return `${datum(wert)}, ${zwei(d.getHours())}:${zwei(d.getMinutes())}`;
}

/** Whether a string is an ISO date or timestamp (used for schema-less form data). */
export function istIsoDatum(wert: string): boolean {
  return DATUM.test(wert) || (ZEITSTEMPEL.test(wert) && !Number.isNaN(new Date(wert).getTime()));
}

function zwei(n: number): string {
  return String(n).padStart(2, '0');
}

const ZAHL1 = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });
const EINHEITEN = ['KB', 'MB', 'GB', 'TB'] as const;

/** Byte count → German size text: „512 Byte“, „1,5 KB“, „12,3 MB“ (binary steps of 1024). */
export function groesse(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} Byte`;
  let wert = bytes / 1024;
  let i = 0;
  while (wert >= 1024 && i < EINHEITEN.length - 1) {
    wert /= 1024;
    i += 1;
  }
  return `${ZAHL1.format(wert)} ${EINHEITEN[i]}`;
}

const EURO = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
const ZAHL = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 6 });

/** Amount in euros → „1.234,56 €“ (with a no-break space before the sign, as German typesetting wants). */
export function geld(betrag: number): string {
  return EURO.format(betrag);
}

/** A plain number in German notation („1.234,5“). */
export function zahl(wert: number): string {
  return ZAHL.format(wert);
}

/**
 * A date typed by the user — `TT.MM.JJJJ` (also `T.M.JJJJ`) or ISO `JJJJ-MM-TT` as a date
 * field delivers it — as `YYYY-MM-DD`; null if it is no valid calendar date.
 */
export function isoDatum(eingabe: string): string | null {
  const t = eingabe.trim();
  let j: number, m: number, d: number;
  const de = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (de) [d, m, j] = [Number(de[1]), Number(de[2]), Number(de[3])];
  else if (iso) [j, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return null;
  const probe = new Date(Date.UTC(j, m - 1, d));
  if (probe.getUTCFullYear() !== j || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return null;
  return `${String(j).padStart(4, '0')}-${zwei(m)}-${zwei(d)}`;
}
