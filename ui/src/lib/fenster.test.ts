import { describe, expect, it } from 'vitest';
import { fenster, scrollFuer, seiten } from './fenster';

const basis = { sichtHoehe: 400, zeilenHoehe: 40, gesamt: 100_000, puffer: 5 };

describe('virtual window', () => {
  it('renders the visible rows plus a buffer below at the top of the list', () => {
    const f = fenster({ ...basis, scrollTop: 0 });
    expect(f.start).toBe(0);
    expect(f.ende).toBe(16); // 10 visible + 1 partial + 5 buffer
    expect(f.oben).toBe(0);
    expect(f.gesamtHoehe).toBe(4_000_000);
    expect(f.oben + (f.ende - f.start) * 40 + f.unten).toBe(f.gesamtHoehe);
  });

  it('keeps the spacer heights so the scrollbar matches 100,000 rows anywhere in the list', () => {
    const f = fenster({ ...basis, scrollTop: 2_000_000 });
    expect(f.start).toBe(50_000 - 5);
    expect(f.ende).toBe(50_000 + 11 + 5);
    expect(f.oben).toBe(f.start * 40);
    expect(f.oben + (f.ende - f.start) * 40 + f.unten).toBe(4_000_000);
  });

  it('never renders past the last row, even when scrolled beyond the end', () => {
    const f = fenster({ ...basis, scrollTop: 9_999_999 });
    expect(f.ende).toBe(100_000);
    expect(f.unten).toBe(0);
    expect(f.start).toBe(100_000 - 10 - 5);
  });

  it('renders nothing for an empty queue and everything for a short one', () => {
    expect(fenster({ ...basis, gesamt: 0, scrollTop: 0 })).toEqual({ start: 0, ende: 0, oben: 0, unten: 0, gesamtHoehe: 0 });
    const f = fenster({ ...basis, gesamt: 3, scrollTop: 0 });
    expect([f.start, f.ende, f.unten]).toEqual([0, 3, 0]);
  });

  it('names every page that holds a rendered row, and no other', () => {
    expect(seiten(0, 16, 100)).toEqual([0]);
    expect(seiten(95, 111, 100)).toEqual([0, 1]);
    expect(seiten(200, 200, 100)).toEqual([]);
    expect(seiten(199, 200, 100)).toEqual([1]);
  });

  it('scrolls just enough to bring the selected row into view', () => {
    expect(scrollFuer(5, 0, 400, 40)).toBeNull();
    expect(scrollFuer(10, 0, 400, 40)).toBe(40);
    expect(scrollFuer(3, 400, 400, 40)).toBe(120);
  });
});
