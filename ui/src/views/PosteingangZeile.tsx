// The rows of the queue's grid: the column headers (sort buttons announced with aria-sort), a case
// row (click opens, the checkbox cell only marks), the placeholder of a row still loading and the
// spacers that give the list its full height.

import type { QueueZeile, SortSpalte } from '../ipc';
import { datum, zeitpunkt } from '../lib/format';
import { FristAnzeige } from './FristAnzeige';

export const SPALTEN: readonly { id: SortSpalte; label: string; klasse: string }[] = [
  { id: 'aktenzeichen', label: 'Aktenzeichen', klasse: 'sp-az' },
  { id: 'eingang', label: 'Eingang', klasse: 'sp-eingang' },
  { id: 'leistung', label: 'Leistung', klasse: 'sp-leistung' },
  { id: 'antragsteller', label: 'Antragsteller', klasse: 'sp-antragsteller' },
  { id: 'status', label: 'Status', klasse: 'sp-status' },
  { id: 'frist', label: 'Frist', klasse: 'sp-frist' },
  { id: 'zustaendig', label: 'Zuständig', klasse: 'sp-zustaendig' },
];

interface KopfProps {
  sortierung: SortSpalte;
  absteigend: boolean;
  onSortieren: (s: SortSpalte) => void;
}

export function Spaltenkoepfe({ sortierung, absteigend, onSortieren }: KopfProps) {
  return (
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
          aria-sort={sortierung === s.id ? (absteigend ? 'descending' : 'ascending') : 'none'}
        >
          <button type="button" className="sort-knopf" data-testid={`sort-${s.id}`} onClick={() => onSortieren(s.id)}>
            {s.label}
            <span aria-hidden="true" className="sort-pfeil">
              {sortierung === s.id ? (absteigend ? ' ▼' : ' ▲') : ''}
            </span>
          </button>
        </th>
      ))}
    </tr>
  );
}

/** The empty space standing in for the rows above or below the rendered ones. */
export function AbstandsZeile({ hoehe }: { hoehe: number }) {
  return (
    <tr className="abstand" aria-hidden="true">
      <td colSpan={SPALTEN.length + 1} style={{ height: hoehe }} />
    </tr>
  );
}

export function LadeZeile({ index, gewaehlt }: { index: number; gewaehlt: boolean }) {
  return (
    <tr role="row" className="zeile laedt" data-index={index} aria-rowindex={index + 2} tabIndex={gewaehlt ? 0 : -1} aria-selected={gewaehlt}>
      <td role="gridcell" colSpan={SPALTEN.length + 1}>
        Wird geladen …
      </td>
    </tr>
  );
}

interface ZeileProps {
  index: number;
  zeile: QueueZeile;
  gewaehlt: boolean;
  markiert: boolean;
  onWaehlen: (index: number) => void;
  onOeffnen: (id: string) => void;
  onMarkieren: (id: string) => void;
}

export function VorgangZeile({ index: i, zeile: z, gewaehlt, markiert: ist, onWaehlen, onOeffnen, onMarkieren }: ZeileProps) {
  return (
    <tr
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
        onWaehlen(i);
        onOeffnen(z.id);
      }}
      onFocus={() => onWaehlen(i)}
    >
      <td role="gridcell" className="sp-wahl">
        <input type="checkbox" checked={ist} onChange={() => onMarkieren(z.id)} aria-label={`Vorgang ${z.aktenzeichen} markieren`} tabIndex={gewaehlt ? 0 : -1} />
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
}
