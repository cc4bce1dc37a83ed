import { describe, expect, it } from 'vitest';
import { befehlFuer, KUERZEL, zielVon } from './tasten';

const frei = { eingabefeld: false, bedienelement: false };

describe('keyboard shortcuts', () => {
  it('move in the queue with j/k and the arrow keys, and open with Enter', () => {
    expect(befehlFuer({ key: 'j' }, 'posteingang', frei)).toBe('naechste');
    expect(befehlFuer({ key: 'ArrowDown' }, 'posteingang', frei)).toBe('naechste');
    expect(befehlFuer({ key: 'k' }, 'posteingang', frei)).toBe('vorige');
    expect(befehlFuer({ key: 'ArrowUp' }, 'posteingang', frei)).toBe('vorige');
    expect(befehlFuer({ key: 'Enter' }, 'posteingang', frei)).toBe('oeffnen');
  });

  it('focus the search with / and open the help with ? everywhere', () => {
    expect(befehlFuer({ key: '/' }, 'posteingang', frei)).toBe('suche');
    expect(befehlFuer({ key: '?' }, 'posteingang', frei)).toBe('hilfe');
    expect(befehlFuer({ key: '?' }, 'vorgang', frei)).toBe('hilfe');
  });

  it('switch the Posteingang’s views with the keys 1 to 8, the last being „Abgabe offen“', () => {
    expect(befehlFuer({ key: '1' }, 'posteingang', frei)).toBe('ansicht_1');
    expect(befehlFuer({ key: '8' }, 'posteingang', frei)).toBe('ansicht_8');
    expect(befehlFuer({ key: '8' }, 'vorgang', frei)).toBeNull();
  });

  it('go back with Esc in the case view, even from a text field', () => {
    expect(befehlFuer({ key: 'Escape' }, 'vorgang', frei)).toBe('zurueck');
    expect(befehlFuer({ key: 'Escape' }, 'vorgang', { eingabefeld: true, bedienelement: false })).toBe('zurueck');
  });

  it('leave typing in a text field alone', () => {
    const feld = { eingabefeld: true, bedienelement: false };
    expect(befehlFuer({ key: 'j' }, 'posteingang', feld)).toBeNull();
    expect(befehlFuer({ key: '/' }, 'posteingang', feld)).toBeNull();
    expect(befehlFuer({ key: '?' }, 'vorgang', feld)).toBeNull();
  });

  it('leave Enter and Space to a focused button', () => {
    const knopf = { eingabefeld: false, bedienelement: true };
    expect(befehlFuer({ key: 'Enter' }, 'posteingang', knopf)).toBeNull();
    expect(befehlFuer({ key: ' ' }, 'posteingang', knopf)).toBeNull();
    expect(befehlFuer({ key: 'j' }, 'posteingang', knopf)).toBe('naechste');
  });

  it('ignore keys with Ctrl, Alt or Meta and keys outside their context', () => {
    expect(befehlFuer({ key: 'j', ctrlKey: true }, 'posteingang', frei)).toBeNull();
    expect(befehlFuer({ key: 'r', altKey: true }, 'posteingang', frei)).toBeNull();
    expect(befehlFuer({ key: 'j' }, 'vorgang', frei)).toBeNull();
    expect(befehlFuer({ key: 'q' }, 'posteingang', frei)).toBeNull();
  });

  it('tell text fields from buttons', () => {
    const input = document.createElement('input');
    expect(zielVon(input)).toEqual({ eingabefeld: true, bedienelement: false });
    const box = document.createElement('input');
    box.type = 'checkbox';
    expect(zielVon(box)).toEqual({ eingabefeld: false, bedienelement: true });
    expect(zielVon(document.createElement('button')).bedienelement).toBe(true);
    expect(zielVon(document.createElement('div'))).toEqual(frei);
  });

  it('list every shortcut with a German description and no key twice in one context', () => {
    for (const k of KUERZEL) expect(k.beschreibung.length).toBeGreaterThan(3);
    for (const ctx of ['posteingang', 'vorgang'] as const) {
      const keys = KUERZEL.filter((k) => k.kontexte.includes(ctx)).flatMap((k) => k.tasten);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});
