import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Formular } from './Formular';

afterEach(cleanup);

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Hundesteuer – Anmeldung',
  type: 'object',
  properties: {
    antragsteller: { $ref: '#/$defs/person', title: 'Antragstellende Person' },
    hund: {
      type: 'object',
      title: 'Angaben zum Hund',
      properties: {
        name: { type: 'string', title: 'Name des Hundes', description: 'Rufname, wie im Impfpass' },
        geburtsdatum: { type: 'string', format: 'date', title: 'Geburtsdatum des Hundes' },
        listenhund: { type: 'boolean', title: 'Gefährlicher Hund (Listenhund)' },
      },
    },
    gebuehr: { type: 'number', title: 'Jahresgebühr' },
    betrag: { type: 'number', format: 'currency', title: 'Vorauszahlung' },
    flaecheQm: { type: 'number', title: 'Fläche in m²' },
    impfungen: {
      type: 'array',
      title: 'Impfungen',
      items: {
        type: 'object',
        properties: {
          impfstoff: { type: 'string', title: 'Impfstoff' },
          datum: { type: 'string', format: 'date', title: 'Datum der Impfung' },
          kosten: { type: 'number', title: 'Kosten' },
        },
      },
    },
  },
  $defs: {
    anschrift: {
      type: 'object',
      title: 'Anschrift',
      properties: { strasse: { type: 'string', title: 'Straße' }, ort: { type: 'string', title: 'Ort' } },
    },
    person: {
      type: 'object',
      title: 'Person',
      properties: {
        vorname: { type: 'string', title: 'Vorname' },
        anschrift: { $ref: '#/$defs/anschrift', title: 'Wohnanschrift' },
      },
    },
  },
};

const inhalt = {
  antragsteller: { vorname: 'Anna', anschrift: { strasse: 'Hauptstraße 1', ort: 'Musterstadt' } },
  hund: { name: 'Bello', geburtsdatum: '2021-04-09', listenhund: false },
  gebuehr: 1234.56,
  betrag: 60,
  flaecheQm: 12.5,
  impfungen: [
    { impfstoff: 'Tollwut', datum: '2024-02-01', kosten: 45 },
    { impfstoff: 'Staupe', datum: '2025-03-15', kosten: 38.9 },
  ],
};

const nbsp = (s: string | null) => (s ?? '').replace(/\s/g, ' ');

function renderJson(data: unknown, s: unknown = schema) {
  return render(<Formular daten={{ format: 'json', inhalt: JSON.stringify(data), schema: s === null ? null : JSON.stringify(s) }} />);
}

/** The dd text that belongs to the dt with exactly this label. */
function wertZu(container: HTMLElement, label: string): string {
  const dt = Array.from(container.querySelectorAll('dt')).find((d) => d.textContent === label);
  if (!dt) throw new Error(`kein Feld „${label}“`);
  return nbsp(dt.nextElementSibling?.textContent ?? null);
}

describe('Formular (generic form renderer)', () => {
  it('labels fields with the schema titles, not the JSON keys', () => {
    const { container } = renderJson(inhalt);
    expect(wertZu(container, 'Name des Hundes')).toBe('Bello');
    expect(wertZu(container, 'Vorname')).toBe('Anna');
    const dts = Array.from(container.querySelectorAll('dt')).map((d) => d.textContent);
    expect(dts).not.toContain('name');
    expect(dts).not.toContain('geburtsdatum');
  });

  it('shows the schema description next to its field', () => {
    renderJson(inhalt);
    expect(screen.getByText('Rufname, wie im Impfpass')).toBeTruthy();
  });

  it('gives every nested object its own titled section, following $ref with its sibling title', () => {
    renderJson(inhalt);
    const hund = screen.getByRole('region', { name: 'Angaben zum Hund' });
    expect(within(hund).getByText('Bello')).toBeTruthy();
    const person = screen.getByRole('region', { name: 'Antragstellende Person' });
    const anschrift = within(person).getByRole('region', { name: 'Wohnanschrift' });
    expect(within(anschrift).getByText('Hauptstraße 1')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Hundesteuer – Anmeldung' })).toBeTruthy();
  });

  it('shows an array of objects as a table with titled columns', () => {
    renderJson(inhalt);
    const table = screen.getByRole('table', { name: 'Impfungen' });
    const heads = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(heads).toEqual(['Impfstoff', 'Datum der Impfung', 'Kosten']);
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(nbsp(rows[1]!.textContent)).toContain('Tollwut');
    expect(nbsp(rows[1]!.textContent)).toContain('01.02.2024');
    expect(nbsp(rows[2]!.textContent)).toContain('38,90 €');
  });

  it('formats dates as TT.MM.JJJJ, money as 1.234,56 €, numbers with a comma and booleans as Ja/Nein', () => {
    const { container } = renderJson(inhalt);
    expect(wertZu(container, 'Geburtsdatum des Hundes')).toBe('09.04.2021');
    expect(wertZu(container, 'Jahresgebühr')).toBe('1.234,56 €');
    expect(wertZu(container, 'Vorauszahlung')).toBe('60,00 €');
    expect(wertZu(container, 'Fläche in m²')).toBe('12,5');
    expect(wertZu(container, 'Gefährlicher Hund (Listenhund)')).toBe('Nein');
  });

  it('shows data without a known schema as labelled key/value pairs, with sections and tables too', () => {
    const { container } = renderJson(
      { familienName: 'Yılmaz', geburtsdatum: '1980-12-24', verheiratet: true, kinder: [{ vorname: 'Ela' }], adresse: { ort: 'Köln' } },
      null,
    );
    expect(screen.getByTestId('ohne-schema')).toBeTruthy();
    expect(wertZu(container, 'Familien Name')).toBe('Yılmaz');
    expect(wertZu(container, 'Geburtsdatum')).toBe('24.12.1980');
    expect(wertZu(container, 'Verheiratet')).toBe('Ja');
    expect(screen.getByRole('region', { name: 'Adresse' })).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Kinder' })).getByText('Ela')).toBeTruthy();
  });

  it('also shows fields the schema does not name', () => {
    const { container } = renderJson({ ...inhalt, zusatz: 'Bitte schnell' });
    expect(wertZu(container, 'Zusatz')).toBe('Bitte schnell');
  });

  it('never interprets applicant text as HTML', () => {
    const boese = '<script>window.__x = 1</script><img src=x onerror="alert(1)"><b>fett</b>';
    const { container } = renderJson({ ...inhalt, hund: { ...inhalt.hund, name: boese } });
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(wertZu(container, 'Name des Hundes')).toBe(boese);
  });

  it('shows XML form data as a readable tree with dates formatted', () => {
    const xml = `<?xml version="1.0"?>
      <antrag xmlns="urn:xoev-de:test" version="1.2">
        <person><vorname>Jonas</vorname><geburtsdatum>1990-05-17</geburtsdatum>
          <anschrift><ort>Bonn</ort></anschrift></person>
        <bemerkung>&lt;script&gt;alert(1)&lt;/script&gt;</bemerkung>
      </antrag>`;
    const { container } = render(<Formular daten={{ format: 'xml', inhalt: xml, schema: null }} />);
    expect(screen.getByRole('region', { name: 'antrag' })).toBeTruthy();
    const person = screen.getByRole('region', { name: 'person' });
    expect(within(person).getByRole('region', { name: 'anschrift' })).toBeTruthy();
    expect(wertZu(container, 'vorname')).toBe('Jonas');
    expect(wertZu(container, 'geburtsdatum')).toBe('17.05.1990');
    expect(wertZu(container, '@version')).toBe('1.2');
    expect(wertZu(container, 'bemerkung')).toBe('<script>alert(1)</script>');
    expect(container.querySelector('script')).toBeNull();
  });

  it('shows broken data as plain text with an explanation instead of failing', () => {
    const { container } = render(<Formular daten={{ format: 'json', inhalt: '{"a": <b>', schema: null }} />);
    expect(container.querySelector('pre')?.textContent).toBe('{"a": <b>');
    expect(container.querySelector('b')).toBeNull();
    render(<Formular daten={{ format: 'xml', inhalt: '<a><b></a>', schema: null }} />);
    expect(screen.getByText(/nicht wohlgeformt/)).toBeTruthy();
  });
});
