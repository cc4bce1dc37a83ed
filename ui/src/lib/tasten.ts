// Keyboard shortcuts: one table, used both to dispatch key presses and to list them in the
// help dialog, so the two can never disagree.

export type Befehl =
  | 'suche'
  | 'naechste'
  | 'vorige'
  | 'erste'
  | 'letzte'
  | 'oeffnen'
  | 'markieren'
  | 'mir_zuweisen'
  | 'abrufen'
  | 'zurueck'
  | 'hilfe'
  | 'ansicht_1'
  | 'ansicht_2'
  | 'ansicht_3'
  | 'ansicht_4'
  | 'ansicht_5'
  | 'ansicht_6'
  | 'ansicht_7'
  | 'ansicht_8';

export type Kontext = 'posteingang' | 'vorgang';

export interface Kuerzel {
  /** Keys as `KeyboardEvent.key` values. */
  tasten: readonly string[];
  /** What the help dialog shows for the keys. */
  anzeige: string;
  befehl: Befehl;
  beschreibung: string;
  /** Where it applies. */
  kontexte: readonly Kontext[];
}

const UEBERALL: readonly Kontext[] = ['posteingang', 'vorgang'];
const QUEUE: readonly Kontext[] = ['posteingang'];

export const KUERZEL: readonly Kuerzel[] = [
  { tasten: ['?'], anzeige: '?', befehl: 'hilfe', beschreibung: 'Diese Hilfe zu den Tastenkürzeln öffnen', kontexte: UEBERALL },
  { tasten: ['/'], anzeige: '/', befehl: 'suche', beschreibung: 'Suchfeld im Posteingang fokussieren', kontexte: QUEUE },
  { tasten: ['j', 'ArrowDown'], anzeige: 'j oder ↓', befehl: 'naechste', beschreibung: 'Nächsten Vorgang in der Liste auswählen', kontexte: QUEUE },
  { tasten: ['k', 'ArrowUp'], anzeige: 'k oder ↑', befehl: 'vorige', beschreibung: 'Vorigen Vorgang in der Liste auswählen', kontexte: QUEUE },
  { tasten: ['Home'], anzeige: 'Pos1', befehl: 'erste', beschreibung: 'Ersten Vorgang auswählen', kontexte: QUEUE },
  { tasten: ['End'], anzeige: 'Ende', befehl: 'letzte', beschreibung: 'Letzten Vorgang auswählen', kontexte: QUEUE },
  { tasten: ['Enter', 'o'], anzeige: 'Eingabe oder o', befehl: 'oeffnen', beschreibung: 'Ausgewählten Vorgang öffnen (auch per Klick auf die Zeile)', kontexte: QUEUE },
  { tasten: ['x', ' '], anzeige: 'x oder Leertaste', befehl: 'markieren', beschreibung: 'Ausgewählten Vorgang markieren oder Markierung aufheben', kontexte: QUEUE },
  { tasten: ['m'], anzeige: 'm', befehl: 'mir_zuweisen', beschreibung: 'Markierte Vorgänge mir zuweisen', kontexte: QUEUE },
  { tasten: ['1'], anzeige: '1', befehl: 'ansicht_1', beschreibung: 'Ansicht „Neu“', kontexte: QUEUE },
  { tasten: ['2'], anzeige: '2', befehl: 'ansicht_2', beschreibung: 'Ansicht „Meine“', kontexte: QUEUE },
  { tasten: ['3'], anzeige: '3', befehl: 'ansicht_3', beschreibung: 'Ansicht „Fällig“ (Frist innerhalb des Vorlaufs der Behörde)', kontexte: QUEUE },
  { tasten: ['4'], anzeige: '4', befehl: 'ansicht_4', beschreibung: 'Ansicht „Überfällig“', kontexte: QUEUE },
  { tasten: ['5'], anzeige: '5', befehl: 'ansicht_5', beschreibung: 'Ansicht „Wiedervorlage heute“', kontexte: QUEUE },
  { tasten: ['6'], anzeige: '6', befehl: 'ansicht_6', beschreibung: 'Ansicht „Alle“', kontexte: QUEUE },
  { tasten: ['7'], anzeige: '7', befehl: 'ansicht_7', beschreibung: 'Ansicht „Zur Freigabe“ (Entscheidungen, die auf die Freigabe warten)', kontexte: QUEUE },
  { tasten: ['8'], anzeige: '8', befehl: 'ansicht_8', beschreibung: 'Ansicht „Abgabe offen“ (abgeschlossene Vorgänge, die noch nicht in der E-Akte liegen)', kontexte: QUEUE },
  { tasten: ['r'], anzeige: 'r', befehl: 'abrufen', beschreibung: 'Jetzt neue Anträge abrufen', kontexte: UEBERALL },
  { tasten: ['Escape'], anzeige: 'Esc', befehl: 'zurueck', beschreibung: 'Dialog schließen oder zurück zum Posteingang', kontexte: ['vorgang'] },
];

export interface Taste {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

/** Where the key press happened, as far as shortcuts care. */
export interface Ziel {
  /** Focus is in a text field: only Escape counts there. */
  eingabefeld: boolean;
  /** Focus is on a button, link or checkbox: Enter and Space belong to it. */
  bedienelement: boolean;
}

/** The command a key press means in a context, or null if it is none (or the key belongs to the focused control). */
export function befehlFuer(taste: Taste, kontext: Kontext, ziel: Ziel): Befehl | null {
  if (taste.ctrlKey || taste.altKey || taste.metaKey) return null;
  if (ziel.eingabefeld && taste.key !== 'Escape') return null;
  if (ziel.bedienelement && (taste.key === 'Enter' || taste.key === ' ')) return null;
  const k = KUERZEL.find((e) => e.kontexte.includes(kontext) && e.tasten.includes(taste.key));
  return k ? k.befehl : null;
}

/** Classifies a DOM element for [`befehlFuer`]. */
export function zielVon(el: Element | null): Ziel {
  if (!el) return { eingabefeld: false, bedienelement: false };
  const tag = el.tagName.toLowerCase();
  const typ = (el.getAttribute('type') ?? '').toLowerCase();
  const text =
    (tag === 'input' && !['checkbox', 'radio', 'button', 'submit'].includes(typ)) ||
    tag === 'textarea' ||
    tag === 'select' ||
    (el as HTMLElement).isContentEditable === true ||
    tag.startsWith('kol-input') ||
    tag === 'kol-textarea';
  const control = tag === 'button' || tag === 'a' || tag === 'summary' || tag === 'input' || tag.startsWith('kol-');
  return { eingabefeld: text, bedienelement: !text && control };
}
