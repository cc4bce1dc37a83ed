// The composer of a message to the applicant, a native modal <dialog> (focus stays inside, Esc
// cancels, focus returns to the opener): „Unterlagen nachfordern“ with the checklist of the
// Leistung's Nachweise and the reply Frist, „Nachricht schreiben“ and „Erinnerung senden“
// without them. The text starts from the template the backend fills from the case (and, for a
// Nachforderung, follows the chosen Nachweise and the Frist until the caseworker edits it).
// „Vorschau“ shows the message exactly as the backend composes it; only from there it is sent.
// Without an electronic reply channel the preview offers „Als Brief speichern …“ instead: the
// backend sets the same message as a PDF letter, asks where to save it, keeps it in the case and
// records the message „per Brief“; the caseworker prints and posts it. Every text is plain text.

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import {
  briefSpeichern,
  dateiWaehlen,
  nachrichtEntwurf,
  nachrichtSenden,
  nachrichtVorschau,
  type IpcError,
  type VorgangDetail,
} from '../ipc';
import { useModalerDialog } from '../lib/dialog';
import { datum, groesse } from '../lib/format';
import { Fehler } from './Fehler';
import type { GewaehlteDatei, NachrichtAnfrage, NachrichtVorschau, SchreibArt } from './nachrichtTypen';

export const DIALOG_TITEL: Record<SchreibArt, string> = {
  nachforderung: 'Unterlagen nachfordern',
  nachricht: 'Nachricht schreiben',
  erinnerung: 'Erinnerung senden',
  eingangsbestaetigung: 'Eingangsbestätigung senden',
};

/** How a message left the composer: queued for FIT-Connect, or saved as a letter to post. */
export type Versandweg = 'postausgang' | 'brief';

interface Props {
  detail: VorgangDetail;
  art: SchreibArt;
  onAbbrechen: () => void;
  /**
   * Sent (queued in the Postausgang) or saved as a letter: the case after it, the message as it
   * was previewed and which of the two happened.
   */
  onGesendet: (d: VorgangDetail, v: NachrichtVorschau, weg: Versandweg) => void;
  /** Where focus goes when the opener is gone or cannot take it any more. */
  onFokusErsatz?: () => void;
}

type Schritt = 'bearbeiten' | 'vorschau';

export function NachrichtDialog({ detail, art, onAbbrechen, onGesendet, onFokusErsatz }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const vorschauTitelRef = useRef<HTMLHeadingElement>(null);
  const vorschauKnopfRef = useRef<HTMLButtonElement>(null);
  const anhaengenRef = useRef<HTMLButtonElement>(null);
  const betreffBearbeitet = useRef(false);
  const id = useId();
  const titel = DIALOG_TITEL[art];
  const mitNachweisen = art === 'nachforderung';
  const kanal = detail.rueckkanal;

  const [schritt, setSchritt] = useState<Schritt>('bearbeiten');
  const [gewaehlt, setGewaehlt] = useState<readonly string[]>([]);
  const [frist, setFrist] = useState(detail.nachforderungsfrist);
  const [betreff, setBetreff] = useState('');
  const [text, setText] = useState('');
  const [textBearbeitet, setTextBearbeitet] = useState(false);
  const [entwurfFuer, setEntwurfFuer] = useState<string | null>(null);
  const [entwurfFehler, setEntwurfFehler] = useState<IpcError | null>(null);
  const [dateien, setDateien] = useState<GewaehlteDatei[]>([]);
  const [dokumente, setDokumente] = useState<readonly string[]>([]);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [laeuft, setLaeuft] = useState<'vorschau' | 'senden' | 'brief' | 'datei' | null>(null);
  const [vorschau, setVorschau] = useState<{ anfrage: NachrichtAnfrage; antwort: NachrichtVorschau } | null>(null);
  const [status, setStatus] = useState('');

  useModalerDialog(ref, (d) => d.querySelector<HTMLElement>('input, textarea'), onFokusErsatz);

  // The chosen Nachweise in the order of the Leistung's configuration.
  const nachweise = useMemo(
    () => (mitNachweisen ? detail.nachweise_der_leistung.filter((n) => gewaehlt.includes(n.id)).map((n) => n.id) : []),
    [mitNachweisen, detail.nachweise_der_leistung, gewaehlt],
  );
  const fristWert = mitNachweisen ? frist.trim() || null : null;
  const entwurfSchluessel = JSON.stringify([nachweise, fristWert]);
  const entwurfLaedt = !textBearbeitet && entwurfFuer !== entwurfSchluessel;

  // The template, filled from the case: again whenever the choice or the Frist changes, as
  // long as the caseworker has not edited the text.
  useEffect(() => {
    if (textBearbeitet) return;
    let aus = false;
    const schluessel = JSON.stringify([nachweise, fristWert]);
    nachrichtEntwurf(detail.id, art, nachweise, fristWert).then(
      (e) => {
        if (aus) return;
        setText(e.text);
        if (!betreffBearbeitet.current) setBetreff(e.betreff);
        setEntwurfFehler(null);
        setEntwurfFuer(schluessel);
      },
      (e: IpcError) => {
        if (aus) return;
        setEntwurfFehler(e);
        setEntwurfFuer(schluessel);
      },
    );
    return () => {
      aus = true;
    };
  }, [detail.id, art, nachweise, fristWert, textBearbeitet]);

  useEffect(() => {
    if (schritt === 'vorschau') vorschauTitelRef.current?.focus();
  }, [schritt]);

  const anfrage = (): NachrichtAnfrage => ({
    id: detail.id,
    art,
    betreff: betreff.trim(),
    text,
    nachweise,
    frist: fristWert,
    dateien: dateien.map((d) => d.pfad),
    dokumente: [...dokumente],
  });

  // While sending or while the letter is being saved, the message must not be dropped.
  const versendetGerade = laeuft === 'senden' || laeuft === 'brief';

  const abbrechen = () => {
    if (versendetGerade) return;
    onAbbrechen();
  };

  // Buttons stay enabled (and focused) while a command runs; a second press does nothing.
  const zurVorschau = () => {
    if (laeuft !== null) return;
    const a = anfrage();
    setLaeuft('vorschau');
    setFehler(null);
    nachrichtVorschau(a).then(
      (v) => {
        setVorschau({ anfrage: a, antwort: v });
        setSchritt('vorschau');
        setLaeuft(null);
      },
      (e: IpcError) => {
        setFehler(e);
        setLaeuft(null);
      },
    );
  };

  const zurueckZurBearbeitung = () => {
    setSchritt('bearbeiten');
    setFehler(null);
    // After the edit step is rendered again.
    setTimeout(() => vorschauKnopfRef.current?.focus(), 0);
  };

  const senden = () => {
    if (!vorschau || !kanal.fit_connect || laeuft !== null) return;
    setLaeuft('senden');
    setFehler(null);
    nachrichtSenden(vorschau.anfrage).then(
      (d) => onGesendet(d, vorschau.antwort, 'postausgang'),
      (e: IpcError) => {
        setFehler(e);
        setLaeuft(null);
      },
    );
  };

  const alsBriefSpeichern = () => {
    // The system's save dialog is open until it answers; a second click does nothing meanwhile.
    if (!vorschau || kanal.fit_connect || laeuft !== null) return;
    setLaeuft('brief');
    setFehler(null);
    briefSpeichern(vorschau.anfrage).then(
      (d) => {
        if (d === null) {
          // Cancelled in the save dialog: nothing was written or recorded.
          setLaeuft(null);
          return;
        }
        onGesendet(d, vorschau.antwort, 'brief');
      },
      (e: IpcError) => {
        setFehler(e);
        setLaeuft(null);
      },
    );
  };

  const dateiAnhaengen = () => {
    // The system's dialog is open until it answers; a second click does nothing meanwhile.
    if (laeuft !== null) return;
    setLaeuft('datei');
    setFehler(null);
    dateiWaehlen().then(
      (f) => {
        setLaeuft(null);
        if (!f) return;
        if (dateien.some((d) => d.pfad === f.pfad)) {
          setStatus(`„${f.name}“ ist bereits angehängt.`);
          return;
        }
        setDateien((alt) => [...alt, f]);
        setStatus(`„${f.name}“ angehängt.`);
      },
      (e: IpcError) => {
        setLaeuft(null);
        setFehler(e);
      },
    );
  };

  const dateiEntfernen = (f: GewaehlteDatei) => {
    setDateien((alt) => alt.filter((d) => d.pfad !== f.pfad));
    setStatus(`„${f.name}“ entfernt.`);
    anhaengenRef.current?.focus();
  };

  const umschalten = (liste: readonly string[], wert: string, an: boolean) =>
    an ? (liste.includes(wert) ? liste : [...liste, wert]) : liste.filter((w) => w !== wert);

  const kanalHinweisId = `${id}-kanal`;
  const briefHinweisId = `${id}-brief`;
  const perBrief = !kanal.fit_connect;

  return (
    <dialog
      ref={ref}
      className="dialog dialog-breit"
      id="nachricht-dialog"
      aria-labelledby={`${id}-titel`}
      data-testid="nachricht-dialog"
      data-art={art}
      onCancel={(e) => {
        e.preventDefault();
        abbrechen();
      }}
      onKeyDown={(e) => {
        // The native dialog cancels on Esc itself; this covers a WebView without showModal.
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          abbrechen();
        }
      }}
    >
      <h2 id={`${id}-titel`}>{titel}</h2>
      <p className="hilfe-text">
        Vorgang {detail.aktenzeichen} · an {detail.antragsteller.name}
      </p>
      {perBrief && (
        <p className="rueckkanal-hinweis" id={kanalHinweisId} data-testid="dialog-rueckkanal-hinweis">
          <strong>Kein elektronischer Rückkanal:</strong>{' '}
          {kanal.hinweis ?? 'Für diesen Vorgang gibt es keinen FIT-Connect-Rückkanal.'} Nach der Vorschau speichern Sie
          die Nachricht als Brief.
        </p>
      )}

      {schritt === 'bearbeiten' && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            zurVorschau();
          }}
        >
          {mitNachweisen && (
            <>
              <fieldset className="dialog-gruppe" data-testid="nachweis-auswahl">
                <legend>Welche Unterlagen fehlen?</legend>
                {detail.nachweise_der_leistung.length === 0 ? (
                  <p className="empty">Für diese Leistung sind keine Nachweise konfiguriert.</p>
                ) : (
                  <ul className="auswahl-liste">
                    {detail.nachweise_der_leistung.map((n) => (
                      <li key={n.id}>
                        <input
                          type="checkbox"
                          id={`${id}-nw-${n.id}`}
                          data-testid={`nachweis-${n.id}`}
                          checked={gewaehlt.includes(n.id)}
                          onChange={(e) => setGewaehlt((alt) => umschalten(alt, n.id, e.target.checked))}
                        />
                        <label htmlFor={`${id}-nw-${n.id}`}>{n.bezeichnung}</label>
                      </li>
                    ))}
                  </ul>
                )}
              </fieldset>
              <div className="dialog-feld">
                <label htmlFor={`${id}-frist`}>Frist für die Antwort</label>
                <input
                  id={`${id}-frist`}
                  type="date"
                  data-testid="nachforderung-frist"
                  aria-describedby={`${id}-frist-hilfe`}
                  value={frist}
                  onChange={(e) => setFrist(e.target.value)}
                />
                <span id={`${id}-frist-hilfe`} className="hilfe-text">
                  Bis zu diesem Tag soll die antragstellende Person die Unterlagen nachreichen. Vorgeschlagen:{' '}
                  {datum(detail.nachforderungsfrist)}.
                </span>
              </div>
            </>
          )}

          <div className="dialog-feld">
            <label htmlFor={`${id}-betreff`}>Betreff</label>
            <input
              id={`${id}-betreff`}
              type="text"
              data-testid="nachricht-betreff"
              autoComplete="off"
              aria-describedby={`${id}-betreff-hilfe`}
              value={betreff}
              onChange={(e) => {
                betreffBearbeitet.current = true;
                setBetreff(e.target.value);
              }}
            />
            <span id={`${id}-betreff-hilfe`} className="hilfe-text">
              Leer lassen, um den Betreff der Vorlage zu verwenden.
            </span>
          </div>

          <div className="dialog-feld">
            <label htmlFor={`${id}-text`}>Text der Nachricht</label>
            <textarea
              id={`${id}-text`}
              data-testid="nachricht-text"
              rows={12}
              aria-required="true"
              aria-describedby={`${id}-text-hilfe`}
              aria-busy={entwurfLaedt}
              value={text}
              onChange={(e) => {
                setTextBearbeitet(true);
                setText(e.target.value);
              }}
            />
            <span id={`${id}-text-hilfe`} className="hilfe-text">
              Reiner Text, so wie er gesendet wird.
              {mitNachweisen &&
                (textBearbeitet
                  ? ' Sie haben den Text bearbeitet; er ändert sich nicht mehr mit der Auswahl oder der Frist.'
                  : ' Der Text folgt der Auswahl der Nachweise und der Frist, bis Sie ihn bearbeiten.')}
            </span>
            {textBearbeitet && (
              <button
                type="button"
                className="link-knopf"
                data-testid="vorlage-neu"
                onClick={() => {
                  betreffBearbeitet.current = false;
                  setTextBearbeitet(false);
                }}
              >
                Text aus der Vorlage neu erzeugen
              </button>
            )}
          </div>
          {entwurfFehler && <Fehler fehler={entwurfFehler} titel="Vorlage nicht geladen" />}

          <fieldset className="dialog-gruppe" data-testid="anhaenge">
            <legend>Anlagen</legend>
            <button
              type="button"
              className="knopf"
              ref={anhaengenRef}
              data-testid="datei-anhaengen"
              aria-busy={laeuft === 'datei'}
              onClick={dateiAnhaengen}
            >
              Datei anhängen …
            </button>
            {dateien.length > 0 && (
              <ul className="datei-liste" data-testid="dateien" aria-label="Angehängte Dateien">
                {dateien.map((f) => (
                  <li key={f.pfad} data-testid="datei">
                    <span className="datei-name">{f.name}</span> <span className="datei-groesse">({groesse(f.groesse)})</span>{' '}
                    <button
                      type="button"
                      className="knopf"
                      data-testid="datei-entfernen"
                      aria-label={`${f.name} entfernen`}
                      onClick={() => dateiEntfernen(f)}
                    >
                      Entfernen
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {detail.anlagen.length > 0 && (
              <fieldset className="dialog-gruppe innen">
                <legend>Dokumente aus dem Vorgang mitsenden</legend>
                <ul className="auswahl-liste">
                  {detail.anlagen.map((a) => (
                    <li key={a.sha512}>
                      <input
                        type="checkbox"
                        id={`${id}-dok-${a.sha512}`}
                        data-testid="dokument-waehlen"
                        data-sha512={a.sha512}
                        checked={dokumente.includes(a.sha512)}
                        onChange={(e) => setDokumente((alt) => umschalten(alt, a.sha512, e.target.checked))}
                      />
                      <label htmlFor={`${id}-dok-${a.sha512}`}>
                        {a.dateiname} ({groesse(a.groesse)})
                      </label>
                    </li>
                  ))}
                </ul>
              </fieldset>
            )}
          </fieldset>
          <p className="meldung" role="status" data-testid="dialog-meldung">
            {status}
          </p>

          {fehler && <Fehler fehler={fehler} titel="Die Nachricht kann so nicht gesendet werden" />}
          <div className="dialog-knoepfe">
            <button
              type="submit"
              className="knopf primaer"
              ref={vorschauKnopfRef}
              data-testid="nachricht-vorschau"
              aria-busy={laeuft === 'vorschau'}
            >
              {laeuft === 'vorschau' ? 'Vorschau wird erstellt …' : 'Vorschau'}
            </button>
            <button type="button" className="knopf" data-testid="nachricht-abbrechen" onClick={abbrechen}>
              Abbrechen
            </button>
          </div>
        </form>
      )}

      {schritt === 'vorschau' && vorschau && (
        <section aria-labelledby={`${id}-vorschau-titel`} data-testid="nachricht-vorschau-inhalt">
          <h3 id={`${id}-vorschau-titel`} ref={vorschauTitelRef} tabIndex={-1} className="vorschau-titel">
            {perBrief ? 'Vorschau: So wird der Brief erstellt' : 'Vorschau: So wird die Nachricht gesendet'}
          </h3>
          <dl className="facts vorschau-fakten">
            <dt>Betreff</dt>
            <dd data-testid="vorschau-betreff">{vorschau.antwort.betreff}</dd>
            <dt>Text</dt>
            <dd className="klartext" data-testid="vorschau-text">
              {vorschau.antwort.text}
            </dd>
            {vorschau.antwort.nachweise.length > 0 && (
              <>
                <dt>Nachweise</dt>
                <dd>
                  <ul data-testid="vorschau-nachweise">
                    {vorschau.antwort.nachweise.map((n: string, i: number) => (
                      <li key={i}>{n}</li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            {vorschau.antwort.frist && (
              <>
                <dt>Frist</dt>
                <dd data-testid="vorschau-frist">{vorschau.antwort.frist}</dd>
              </>
            )}
            <dt>Anlagen</dt>
            <dd data-testid="vorschau-anlagen">
              {vorschau.antwort.anlagen.length === 0 ? (
                'keine'
              ) : (
                <ul>
                  {vorschau.antwort.anlagen.map((a: string, i: number) => (
                    <li key={i}>{a}</li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>Weg</dt>
            <dd data-testid="vorschau-weg">{vorschau.antwort.weg}</dd>
          </dl>
          {fehler && (
            <Fehler fehler={fehler} titel={perBrief ? 'Der Brief wurde nicht gespeichert' : 'Die Nachricht wurde nicht gesendet'} />
          )}
          {perBrief && (
            <p className="hilfe-text brief-hinweis" id={briefHinweisId} data-testid="brief-hinweis">
              Die antragstellende Person hat keinen elektronischen Rückkanal. Der Brief wird als PDF gespeichert; drucken und
              versenden Sie ihn per Post.
            </p>
          )}
          <div className="dialog-knoepfe">
            {perBrief ? (
              <button
                type="button"
                className="knopf primaer"
                data-testid="brief-speichern"
                aria-busy={laeuft === 'brief'}
                aria-describedby={briefHinweisId}
                onClick={alsBriefSpeichern}
              >
                {laeuft === 'brief' ? 'Brief wird gespeichert …' : 'Als Brief speichern …'}
              </button>
            ) : (
              <button
                type="button"
                className="knopf primaer"
                data-testid="nachricht-senden"
                aria-busy={laeuft === 'senden'}
                onClick={senden}
              >
                {laeuft === 'senden' ? 'Wird gesendet …' : 'Senden'}
              </button>
            )}
            <button
              type="button"
              className="knopf"
              data-testid="nachricht-bearbeiten"
              disabled={laeuft !== null}
              onClick={zurueckZurBearbeitung}
            >
              Zurück zur Bearbeitung
            </button>
            <button type="button" className="knopf" data-testid="nachricht-abbrechen" disabled={versendetGerade} onClick={abbrechen}>
              Abbrechen
            </button>
          </div>
        </section>
      )}
    </dialog>
  );
}
