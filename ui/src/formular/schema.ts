// Reading a JSON Schema for display: resolve local `$ref`s, merge `allOf`, pick the matching
// `oneOf`/`anyOf` branch, and decide how a value is shown (labels, dates, money, Ja/Nein).
// Pure functions; the React part is in Formular.tsx.

import { datum, geld, istIsoDatum, zahl, zeitpunkt } from '../lib/format';

export interface Schema {
  type?: string | string[];
  title?: string;
  description?: string;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema | Schema[];
  $ref?: string;
  $defs?: Record<string, Schema>;
  definitions?: Record<string, Schema>;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  [k: string]: unknown;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function istObjekt(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows a local JSON pointer (`#/$defs/x`) inside the root schema. */
function zeiger(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  const teile = ref
    .slice(1)
    .split('/')
    .filter((t) => t !== '')
    .map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: unknown = root;
  for (const t of teile) {
    if (!istObjekt(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return istObjekt(cur) ? (cur as Schema) : undefined;
}

function passt(s: Schema, wert: Json | undefined): boolean {
  const t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (t.length === 0) return true;
  return t.some((typ) => {
    switch (typ) {
      case 'object':
        return istObjekt(wert);
      case 'array':
        return Array.isArray(wert);
      case 'string':
        return typeof wert === 'string';
      case 'integer':
      case 'number':
        return typeof wert === 'number';
      case 'boolean':
        return typeof wert === 'boolean';
      case 'null':
        return wert === null;
      default:
        return false;
    }
  });
}

/**
 * The effective schema of a node: `$ref` resolved (siblings such as `title` win over the target,
 * as in JSON Schema 2020-12 annotations), `allOf` merged, the first fitting `oneOf`/`anyOf` taken.
 */
export function aufloesen(root: Schema, s: Schema | undefined, wert?: Json, tiefe = 0): Schema {
  if (!s || tiefe > 32) return {};
  let out: Schema = { ...s };
  if (typeof s.$ref === 'string') {
    const ziel = zeiger(root, s.$ref);
    const rest: Schema = { ...s };
    delete rest.$ref;
    out = { ...aufloesen(root, ziel, wert, tiefe + 1), ...rest };
  }
  if (Array.isArray(out.allOf)) {
    const teile = out.allOf.map((t) => aufloesen(root, t, wert, tiefe + 1));
    const merged: Schema = {};
    for (const t of teile) {
      Object.assign(merged, t);
      if (t.properties) merged.properties = { ...(merged.properties ?? {}), ...t.properties };
    }
    const rest: Schema = { ...out };
    delete rest.allOf;
    out = { ...merged, ...rest, properties: { ...(merged.properties ?? {}), ...(rest.properties ?? {}) } };
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const alt = out[key];
    if (Array.isArray(alt)) {
      const zweig = alt.map((t) => aufloesen(root, t, wert, tiefe + 1)).find((t) => passt(t, wert));
      const rest: Schema = { ...out };
      delete rest[key];
      if (zweig) out = { ...zweig, ...rest, properties: { ...(zweig.properties ?? {}), ...(rest.properties ?? {}) } };
    }
  }
  return out;
}

/** Turns a JSON key into a readable label: `haltungBeginn` → „Haltung Beginn“, `flaeche_qm` → „Flaeche qm“. */
export function ausSchluessel(key: string): string {
  const worte = key
    .replace(/([a-zäöüß0-9])([A-ZÄÖÜ])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim();
  return worte ? worte.charAt(0).toUpperCase() + worte.slice(1) : key;
}

export function bezeichnung(s: Schema, key: string): string {
  return typeof s.title === 'string' && s.title.trim() ? s.title : ausSchluessel(key);
}

const GELD = /betrag|geb(ü|ue)hr|kosten|preis|entgelt|summe|euro|währung|waehrung|currency|\beur\b|€/i;

/** Whether a field holds an amount of money: `format: "currency"`, a currency hint, or a name like Betrag/Gebühr. */
export function istGeld(s: Schema, key: string): boolean {
  if (s.format === 'currency' || s.currency !== undefined || s['x-currency'] !== undefined) return true;
  if (s.unit === 'EUR' || s['x-einheit'] === 'EUR' || s['x-unit'] === 'EUR') return true;
  const typ = Array.isArray(s.type) ? s.type : [s.type];
  if (!typ.includes('number') && !typ.includes('integer') && s.type !== undefined) return false;
  return [key, s.title, s.description].some((t) => typeof t === 'string' && GELD.test(t));
}

/** The text shown for a scalar value. */
export function anzeige(s: Schema, key: string, wert: Json | undefined): string {
  if (wert === undefined || wert === null || wert === '') return '—';
  if (typeof wert === 'boolean') return wert ? 'Ja' : 'Nein';
  if (typeof wert === 'number') return istGeld(s, key) ? geld(wert) : zahl(wert);
  if (typeof wert === 'string') {
    if (istGeld(s, key) && /^-?\d+([.,]\d+)?$/.test(wert.trim())) return geld(Number(wert.trim().replace(',', '.')));
    if (s.format === 'date-time' || (s.format === undefined && /T\d{2}:\d{2}/.test(wert) && istIsoDatum(wert))) return zeitpunkt(wert);
    if (s.format === 'date' || istIsoDatum(wert)) return datum(wert);
    const titel = optionsTitel(s, wert);
    return titel ?? wert;
  }
  return JSON.stringify(wert);
}

/** For `oneOf: [{const, title}]` enumerations: the title of the chosen option. */
function optionsTitel(s: Schema, wert: string): string | undefined {
  const alt = s.oneOf ?? s.anyOf;
  if (!Array.isArray(alt)) return undefined;
  const hit = alt.find((o) => istObjekt(o) && o.const === wert);
  return hit && typeof hit.title === 'string' ? hit.title : undefined;
}

/** Keys of an object in schema order first, then any the schema does not name. */
export function schluessel(s: Schema, wert: Record<string, Json>): string[] {
  const ausSchema = Object.keys(s.properties ?? {});
  const extra = Object.keys(wert).filter((k) => !ausSchema.includes(k));
  return [...ausSchema.filter((k) => k in wert), ...extra];
}
