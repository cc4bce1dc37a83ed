// Attachments of a case: list with name, type, size and the hash-verified mark; preview of
// images and PDFs inside the app (streamed from the encrypted store through the attachment
// protocol, never a plaintext file); „Speichern unter…“ as the only way onto disk (audited).

import { lazy, Suspense, useEffect, useState } from 'react';
import { anlageSiegel, anlageSpeichern, type AnlageInfo, type IpcError, type SiegelPruefung } from '../ipc';
import { groesse } from '../lib/format';
import { Fehler } from './Fehler';

const PdfVorschau = lazy(() => import('./PdfVorschau'));

const TYPEN: Record<string, string> = {
  'application/pdf': 'PDF-Dokument',
  'image/png': 'PNG-Bild',
  'image/jpeg': 'JPEG-Bild',
  'image/gif': 'GIF-Bild',
  'image/webp': 'WebP-Bild',
  'application/xml': 'XML-Datei',
  'text/xml': 'XML-Datei',
  'text/plain': 'Textdatei',
  'application/json': 'JSON-Datei',
};

export function typText(mime: string): string {
  return TYPEN[mime] ?? mime;
}

/** The seal or signature of a PDF, as the Bescheid engine's verifier judges it. */
function Siegel({ vorgangId, a }: { vorgangId: string; a: AnlageInfo }) {
  const [p, setP] = useState<SiegelPruefung | null>(null);
  useEffect(() => {
    let aus = false;
    anlageSiegel(vorgangId, a.sha512).then(
      (x) => {
        if (!aus) setP(x);
      },
      () => {
        if (!aus) setP({ signiert: false, gueltig: false, text: 'Siegel nicht prüfbar.' });
      },
    );
    return () => {
      aus = true;
    };
  }, [vorgangId, a.sha512]);
  if (!p) return <span className="hinweis">Siegel wird geprüft …</span>;
  if (!p.signiert) return <span className="hinweis">ohne Siegel</span>;
  return (
    <span className={p.gueltig ? 'geprueft' : 'ungeprueft'} data-testid="anlage-siegel" data-gueltig={p.gueltig}>
      <span aria-hidden="true">{p.gueltig ? '✔ ' : '✖ '}</span>
      {p.text}
    </span>
  );
}

export function Anlagen({ vorgangId, anlagen }: { vorgangId: string; anlagen: AnlageInfo[] }) {
  const [vorschau, setVorschau] = useState<AnlageInfo | null>(null);
  const [meldung, setMeldung] = useState('');
  const [fehler, setFehler] = useState<IpcError | null>(null);

  const speichern = (a: AnlageInfo) => {
    setFehler(null);
    anlageSpeichern(vorgangId, a.sha512).then(
      (pfad) => setMeldung(pfad ? `„${a.dateiname}“ gespeichert unter ${pfad}` : 'Speichern abgebrochen.'),
      (e: IpcError) => setFehler(e),
    );
  };

  if (anlagen.length === 0) return <p className="empty">Dieser Antrag hat keine Anlagen.</p>;

  return (
    <>
      <h3>Anlagen</h3>
      <table className="anlagen">
        <caption className="unsichtbar">Anlagen des Antrags</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Typ</th>
            <th scope="col">Größe</th>
            <th scope="col">Prüfsumme</th>
            <th scope="col">Siegel</th>
            <th scope="col">
              <span className="unsichtbar">Aktionen</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {anlagen.map((a) => (
            <tr key={a.sha512} data-testid="anlage" data-sha512={a.sha512} data-mime={a.mime}>
              <td className="anlage-name">{a.dateiname}</td>
              <td>{typText(a.mime)}</td>
              <td>{groesse(a.groesse)}</td>
              <td>
                {a.geprueft ? (
                  <span className="geprueft" data-testid="geprueft">
                    <span aria-hidden="true">✔ </span>geprüft
                  </span>
                ) : (
                  <span className="ungeprueft">
                    <span aria-hidden="true">✖ </span>nicht geprüft
                  </span>
                )}
              </td>
              <td>{a.mime === 'application/pdf' ? <Siegel vorgangId={vorgangId} a={a} /> : <span className="hinweis">–</span>}</td>
              <td className="anlage-knoepfe">
                <button
                  type="button"
                  className="knopf"
                  data-testid="anlage-vorschau"
                  aria-label={`Vorschau von ${a.dateiname}`}
                  aria-pressed={vorschau?.sha512 === a.sha512}
                  onClick={() => setVorschau(a)}
                >
                  Vorschau
                </button>
                <button
                  type="button"
                  className="knopf"
                  data-testid="anlage-speichern"
                  aria-label={`${a.dateiname} speichern unter …`}
                  onClick={() => speichern(a)}
                >
                  Speichern unter…
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="meldung" role="status" data-testid="speicher-meldung">
        {meldung}
      </p>
      {fehler && <Fehler fehler={fehler} />}
      {vorschau && (
        <section className="vorschau" data-testid="vorschau" aria-label={`Vorschau: ${vorschau.dateiname}`}>
          <h4>Vorschau: {vorschau.dateiname}</h4>
          {vorschau.mime.startsWith('image/') ? (
            <img src={vorschau.url} alt={`Vorschau von ${vorschau.dateiname}`} className="bild-vorschau" />
          ) : vorschau.mime === 'application/pdf' ? (
            <Suspense fallback={<p>PDF-Anzeige wird geladen …</p>}>
              <PdfVorschau key={vorschau.sha512} url={vorschau.url} name={vorschau.dateiname} />
            </Suspense>
          ) : (
            <p>Für diesen Dateityp ({typText(vorschau.mime)}) gibt es keine Vorschau. Nutzen Sie „Speichern unter…“.</p>
          )}
        </section>
      )}
    </>
  );
}
