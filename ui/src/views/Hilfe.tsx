// Help dialog listing every keyboard shortcut, from the same table that dispatches them.

import { useEffect, useRef } from 'react';
import { KUERZEL } from '../lib/tasten';

export function Hilfe({ onSchliessen }: { onSchliessen: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const vorher = document.activeElement;
    if (typeof d.showModal === 'function') {
      if (!d.open) d.showModal();
    } else d.setAttribute('open', '');
    d.querySelector<HTMLElement>('button')?.focus();
    return () => {
      if (typeof d.close === 'function' && d.open) d.close();
      // Focus goes back where it was; if nothing had it, to the main content (not to the top of
      // the page), so the next Tab continues in the work area.
      if (vorher instanceof HTMLElement && vorher !== document.body && vorher.isConnected) vorher.focus();
      else document.getElementById('inhalt')?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog hilfe"
      data-testid="hilfe"
      aria-labelledby="hilfe-titel"
      onCancel={(e) => {
        e.preventDefault();
        onSchliessen();
      }}
    >
      <h2 id="hilfe-titel">Tastenkürzel</h2>
      <table className="kuerzel">
        <caption className="unsichtbar">Alle Tastenkürzel</caption>
        <thead>
          <tr>
            <th scope="col">Taste</th>
            <th scope="col">Wirkung</th>
            <th scope="col">Wo</th>
          </tr>
        </thead>
        <tbody>
          {KUERZEL.map((k) => (
            <tr key={k.befehl}>
              <td>
                <kbd>{k.anzeige}</kbd>
              </td>
              <td>{k.beschreibung}</td>
              <td>{k.kontexte.length > 1 ? 'überall' : k.kontexte[0] === 'posteingang' ? 'Posteingang' : 'Vorgang'}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>Tab</kbd> / <kbd>Umschalt+Tab</kbd>
            </td>
            <td>Zum nächsten oder vorigen Bedienelement</td>
            <td>überall</td>
          </tr>
          <tr>
            <td>
              <kbd>←</kbd> / <kbd>→</kbd>
            </td>
            <td>Zwischen den Reitern eines Vorgangs wechseln</td>
            <td>Vorgang</td>
          </tr>
        </tbody>
      </table>
      <button type="button" className="knopf primaer" data-testid="hilfe-schliessen" onClick={onSchliessen}>
        Schließen
      </button>
    </dialog>
  );
}
