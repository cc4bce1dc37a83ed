import { describe, expect, it } from 'vitest';
import { datum, geld, groesse, isoDatum, istIsoDatum, zahl, zeitpunkt } from './format';

describe('German formatting', () => {
  it('shows a date as TT.MM.JJJJ', () => {
    expect(datum('2026-03-07')).toBe('07.03.2026');
  });

  it('shows the local date of a timestamp as TT.MM.JJJJ', () => {
    const d = new Date(2026, 0, 31, 9, 5);
    expect(datum(d.toISOString())).toBe('31.01.2026');
    expect(zeitpunkt(d.toISOString())).toBe('31.01.2026, 09:05');
  });

  it('leaves text that is not a date alone and shows nothing for no date', () => {
    expect(datum('morgen')).toBe('morgen');
    expect(datum(null)).toBe('');
    expect(istIsoDatum('2026-12-01')).toBe(true);
    expect(istIsoDatum('12345')).toBe(false);
  });

  it('shows sizes in German units with a decimal comma', () => {
    expect(groesse(0)).toBe('0 Byte');
    expect(groesse(1023)).toBe('1023 Byte');
    expect(groesse(1536)).toBe('1,5 KB');
    expect(groesse(5 * 1024 * 1024)).toBe('5 MB');
    expect(groesse(200 * 1024 * 1024 + 300 * 1024)).toBe('200,3 MB');
    expect(groesse(3 * 1024 ** 3)).toBe('3 GB');
  });

  it('shows money as 1.234,56 € and numbers with a decimal comma', () => {
    expect(geld(1234.56).replace(/\s/g, ' ')).toBe('1.234,56 €');
    expect(geld(5).replace(/\s/g, ' ')).toBe('5,00 €');
    expect(zahl(12.5)).toBe('12,5');
    expect(zahl(1000000)).toBe('1.000.000');
  });

  it('reads a typed date as TT.MM.JJJJ or ISO and rejects impossible dates', () => {
    expect(isoDatum('05.12.2026')).toBe('2026-12-05');
    expect(isoDatum(' 5.1.2027 ')).toBe('2027-01-05');
    expect(isoDatum('2026-12-05')).toBe('2026-12-05');
    expect(isoDatum('31.02.2026')).toBeNull();
    expect(isoDatum('morgen')).toBeNull();
  });
});
