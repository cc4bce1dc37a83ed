// The saved filters of the Posteingang: choose, apply, delete, and save the current view,
// search and sort under a name (kept in the encrypted database).

import { useEffect, useMemo, useState } from 'react';
import { filterLoeschen, filterSpeichern, gespeicherteFilter, type GespeicherterFilter, type IpcError, type QueueAnfrage } from '../ipc';

interface Props {
  /** The request the current view, search field (even before its debounce) and sort stand for. */
  aktuelleAnfrage: () => QueueAnfrage;
  onAnwenden: (anfrage: QueueAnfrage) => void;
  onMeldung: (meldung: string) => void;
  onFehler: (fehler: IpcError) => void;
}

export function FilterLeiste({ aktuelleAnfrage, onAnwenden, onMeldung, onFehler }: Props) {
  const [filter, setFilter] = useState<GespeicherterFilter[]>([]);
  const [filterName, setFilterName] = useState('');
  const [gewaehlterFilter, setGewaehlterFilter] = useState('');

  useEffect(() => {
    gespeicherteFilter().then(setFilter, () => undefined);
  }, []);

  const aktiverFilter = useMemo(() => filter.find((x) => x.name === gewaehlterFilter), [filter, gewaehlterFilter]);

  const speichern = () => {
    const name = filterName.trim();
    if (!name) {
      onMeldung('Bitte geben Sie einen Namen für den Filter ein.');
      return;
    }
    const anfrage = aktuelleAnfrage();
    filterSpeichern({ name, anfrage }).then(
      (alle) => {
        setFilter(alle);
        setGewaehlterFilter(name);
        setFilterName('');
        onMeldung(`Filter „${name}“ gespeichert.`);
      },
      (e: IpcError) => onFehler(e),
    );
  };

  const anwenden = () => {
    if (!aktiverFilter) return;
    onAnwenden(aktiverFilter.anfrage);
    onMeldung(`Filter „${aktiverFilter.name}“ angewendet.`);
  };

  const loeschen = () => {
    if (!aktiverFilter) return;
    const name = aktiverFilter.name;
    filterLoeschen(name).then(
      (alle) => {
        setFilter(alle);
        setGewaehlterFilter('');
        onMeldung(`Filter „${name}“ gelöscht.`);
      },
      (e: IpcError) => onFehler(e),
    );
  };

  return (
    <details className="filter" data-testid="filter">
      <summary>Gespeicherte Filter ({filter.length})</summary>
      <div className="filter-inhalt">
        <label htmlFor="filter-wahl">Filter</label>
        <select id="filter-wahl" value={gewaehlterFilter} onChange={(e) => setGewaehlterFilter(e.target.value)} data-testid="filter-wahl">
          <option value="">– bitte wählen –</option>
          {filter.map((x) => (
            <option key={x.name} value={x.name}>
              {x.name}
            </option>
          ))}
        </select>
        <button type="button" className="knopf" data-testid="filter-anwenden" disabled={!aktiverFilter} onClick={anwenden}>
          Anwenden
        </button>
        <button type="button" className="knopf" data-testid="filter-loeschen" disabled={!aktiverFilter} onClick={loeschen}>
          Löschen
        </button>
        <label htmlFor="filter-name">Aktuelle Ansicht, Suche und Sortierung speichern als</label>
        <input
          id="filter-name"
          type="text"
          value={filterName}
          onChange={(e) => setFilterName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') speichern();
          }}
          placeholder="Name"
          data-testid="filter-name"
        />
        <button type="button" className="knopf" data-testid="filter-speichern" onClick={speichern}>
          Speichern
        </button>
      </div>
    </details>
  );
}
