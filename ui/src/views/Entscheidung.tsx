// The Entscheidung tab: the Bescheid draft (template, outcome, facts, Tenor, Begründung,
// Nebenbestimmungen, fees), its live preview rendered by the Bescheid engine (SVG pages, the
// same layout as the sealed PDF), and the four-eyes steps: save, submit, approve or return.
// What the session's user may do comes from Rust (`Moeglich` with a German hint); this view
// never decides it. After the Freigabe it shows the issued Bescheid and its payment.

import { useEffect, useId, useRef, useState } from 'react';
import {
  entscheidung,
  entscheidungFreigeben,
  entscheidungSpeichern,
  entscheidungVorschau,
  entscheidungVorschlag,
  entscheidungZurueckgeben,
  vorgangAktion,
  vorgangErneut,
  zahlungVermerken,
  type BescheidEntwurf,
  type BescheidVorschau,
  type EntscheidungAnsicht,
  type Ergebnis,
  type GebuehrZeile,
  type IpcError,
  type VorgangDetail,
} from '../ipc';
import { datum, zeitpunkt } from '../lib/format';
import { Fehler } from './Fehler';

const ERGEBNISSE: readonly { id: Ergebnis; label: string }[] = [
  { id: 'stattgegeben', label: 'Bewilligung' },
  { id: 'teilweise_stattgegeben', label: 'Teilbewilligung' },
  { id: 'abgelehnt', label: 'Ablehnung' },
];

/** Cents as German amount text without the currency sign: 3900 → „39,00“. */
export function centText(cent: number): string {
  const neg = cent < 0;
  const a = Math.abs(cent);
  return `${neg ? '-' : ''}${Math.floor(a / 100).toLocaleString('de-DE')},${String(a % 100).padStart(2, '0')}`;
}

/** German amount text to cents („39,00“, „39“, „1.234,5“); `null` if it is none. */
export function textCent(text: string): number | null {
  const t = text.trim().replace(/\s|€/g, '').replace(/\./g, '');
  if (!/^-?\d+(,\d{1,2})?$/.test(t)) return null;
  const [euro, cent = ''] = t.split(',');
  const c = Number(euro) * 100 + (euro!.startsWith('-') ? -1 : 1) * Number(cent.padEnd(2, '0'));
  return Number.isSafeInteger(c) ? c : null;
}

/** Today as `YYYY-MM-DD`, local time (the default day of a recorded payment). */
function heuteIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Points separated by blank lines ↔ list. */
const punkte = (t: string) => t.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
const alsText = (l: string[]) => l.join('\n\n');

interface Props {
  detail: VorgangDetail;
  onNeu: (d: VorgangDetail) => void;
}

export function Entscheidung({ detail, onNeu }: Props) {
  const [ansicht, setAnsicht] = useState<EntscheidungAnsicht | null>(null);
  const [entwurf, setEntwurf] = useState<BescheidEntwurf | null>(null);
  const [geaendert, setGeaendert] = useState(false);
  const [vorschau, setVorschau] = useState<BescheidVorschau | null>(null);
  const [setztGerade, setSetztGerade] = useState(false);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [meldung, setMeldung] = useState('');
  const [laeuft, setLaeuft] = useState(false);
  const [kommentar, setKommentar] = useState<string | null>(null);
  const [freigabeFrage, setFreigabeFrage] = useState(false);
  const [bezahltAm, setBezahltAm] = useState(heuteIso);
  const id = useId();
  const vorschauNr = useRef(0);

  // Loaded for this case and again when its status changes (a submission, a return).
  useEffect(() => {
    let aus = false;
    entscheidung(detail.id).then(
      (a) => {
        if (aus) return;
        setAnsicht(a);
        setEntwurf(a.entwurf);
        setGeaendert(false);
      },
      (e: IpcError) => {
        if (!aus) setFehler(e);
      },
    );
    return () => {
      aus = true;
    };
  }, [detail.id, detail.status]);

  // The live preview: set by the engine a moment after the last change.
  useEffect(() => {
    if (!entwurf) return;
    const nr = ++vorschauNr.current;
    const t = window.setTimeout(() => {
      setSetztGerade(true);
      entscheidungVorschau(detail.id, entwurf).then(
        (v) => {
          if (nr === vorschauNr.current) {
            setVorschau(v);
            setSetztGerade(false);
          }
        },
        (e: IpcError) => {
          if (nr === vorschauNr.current) {
            setVorschau({ seiten: [], millis: 0, fehler: e.message });
            setSetztGerade(false);
          }
        },
      );
    }, 250);
    return () => window.clearTimeout(t);
  }, [detail.id, entwurf]);

  if (fehler && !ansicht) return <Fehler fehler={fehler} titel="Entscheidung nicht verfügbar" />;
  if (!ansicht || !entwurf) return <p role="status">Die Entscheidung wird geladen …</p>;

  const darf = ansicht.bearbeiten.moeglich;
  const aendern = (f: (e: BescheidEntwurf) => BescheidEntwurf) => {
    setEntwurf((alt) => (alt ? f(alt) : alt));
    setGeaendert(true);
    setMeldung('');
  };
  const schritt = async (was: () => Promise<void>) => {
    setLaeuft(true);
    setFehler(null);
    try {
      await was();
    } catch (e) {
      setFehler(e as IpcError);
    } finally {
      setLaeuft(false);
    }
  };
  const neuLesen = async () => {
    const d = await vorgangErneut(detail.id);
    onNeu(d);
  };
  const speichern = () =>
    schritt(async () => {
      const a = await entscheidungSpeichern(detail.id, entwurf);
      setAnsicht(a);
      setEntwurf(a.entwurf);
      setGeaendert(false);
      setMeldung(`Entwurf als Fassung ${a.version ?? ''} gespeichert.`);
      await neuLesen();
    });
  const vorlegen = () =>
    schritt(async () => {
      if (geaendert) {
        const a = await entscheidungSpeichern(detail.id, entwurf);
        setAnsicht(a);
        setGeaendert(false);
      }
      const d = await vorgangAktion({ id: detail.id, aktion: 'zur_freigabe_vorlegen', begruendung: null, empfaenger: null, datum: null });
      setMeldung('Der Entwurf liegt zur Freigabe vor. Zeichnungsbefugte finden ihn in der Ansicht „Zur Freigabe“.');
      onNeu(d);
    });
  const freigeben = () =>
    schritt(async () => {
      setFreigabeFrage(false);
      const a = await entscheidungFreigeben(detail.id);
      setAnsicht(a);
      setEntwurf(a.entwurf);
      setMeldung('Bescheid freigegeben und gesiegelt.');
      await neuLesen();
    });
  const zurueckgeben = () =>
    schritt(async () => {
      const k = (kommentar ?? '').trim();
      if (!k) {
        setFehler({ code: 'invalid_input', message: 'Bitte schreiben Sie, was am Entwurf zu ändern ist.' });
        return;
      }
      const a = await entscheidungZurueckgeben(detail.id, k);
      setAnsicht(a);
      setKommentar(null);
      setMeldung('Der Entwurf ist zur Überarbeitung zurückgegeben.');
      await neuLesen();
    });
  const vorbelegen = (vorlage: string, ergebnis: Ergebnis) =>
    schritt(async () => {
      const e = await entscheidungVorschlag(detail.id, vorlage, ergebnis);
      setEntwurf(e);
      setGeaendert(true);
      setMeldung('Entwurf aus der Vorlage neu vorbelegt (noch nicht gespeichert).');
    });
  const gebuehr = (i: number, g: Partial<GebuehrZeile>) =>
    aendern((e) => ({ ...e, gebuehren: e.gebuehren.map((x, j) => (j === i ? { ...x, ...g } : x)) }));
  const summe = entwurf.gebuehren.reduce((s, g) => s + g.betrag_cent, 0);
  const b = ansicht.bescheid;

  return (
    <div className="entscheidung" data-testid="entscheidung">
      {b && (
        <section className="bescheid-info" aria-labelledby={`${id}-bescheid`} data-testid="bescheid-info">
          <h3 id={`${id}-bescheid`}>Bescheid vom {datum(b.datum)}</h3>
          <p>
            Fassung {b.version}, freigegeben von {b.freigegeben_von}. {b.versand}
          </p>
          <p>
            <a href={b.url} target="_blank" rel="noreferrer" data-testid="bescheid-oeffnen">
              {b.dateiname}
            </a>{' '}
            (auch im Reiter „Anlagen“)
          </p>
          {b.summe_cent > 0 && (
            <div className="zahlung" data-testid="zahlung">
              {b.zahlung_offen ? (
                <>
                  <strong className="zahlung-offen" data-testid="zahlung-offen">
                    Zahlung offen
                  </strong>{' '}
                  – {centText(b.summe_cent)} € {b.kassenzeichen ? `(Kassenzeichen ${b.kassenzeichen})` : ''}
                  <div className="dialog-feld">
                    <label htmlFor={`${id}-bezahlt`}>Zahlung eingegangen am</label>
                    <input id={`${id}-bezahlt`} type="date" value={bezahltAm} onChange={(e) => setBezahltAm(e.target.value)} />
                  </div>
                  <button
                    type="button"
                    className="knopf"
                    data-testid="zahlung-vermerken"
                    disabled={laeuft}
                    onClick={() =>
                      schritt(async () => {
                        const a = await zahlungVermerken(detail.id, bezahltAm);
                        setAnsicht(a);
                        setMeldung('Zahlungseingang vermerkt.');
                        await neuLesen();
                      })
                    }
                  >
                    Zahlungseingang vermerken
                  </button>
                </>
              ) : (
                <span data-testid="zahlung-bezahlt">Bezahlt am {b.bezahlt_am ? datum(b.bezahlt_am) : '–'}.</span>
              )}
            </div>
          )}
        </section>
      )}

      <p className="hinweis" data-testid="entwurf-stand">
        {ansicht.version
          ? `Fassung ${ansicht.version}, zuletzt gespeichert ${ansicht.gespeichert_am ? zeitpunkt(ansicht.gespeichert_am) : ''}; verfasst von ${ansicht.verfasser.join(', ')}.`
          : 'Noch kein Entwurf gespeichert: Der Vorschlag ist aus der Vorlage und dem Antrag vorbelegt.'}
        {geaendert && ' Ungespeicherte Änderungen.'}
        {!darf && ansicht.bearbeiten.hinweis && ` ${ansicht.bearbeiten.hinweis}`}
      </p>

      {ansicht.aenderungen.length > 0 && (
        <section className="diff" aria-labelledby={`${id}-diff`} data-testid="entwurf-diff">
          <h3 id={`${id}-diff`}>Änderungen seit Fassung {ansicht.zuletzt_gesehen}, die Sie zuletzt gesehen haben</h3>
          <ul>
            {ansicht.aenderungen
              .filter((z) => z.art !== 'gleich')
              .map((z, i) => (
                <li key={i} className={`diff-${z.art}`}>
                  <span className="diff-art">{z.art === 'neu' ? 'neu: ' : 'entfernt: '}</span>
                  {z.text}
                </li>
              ))}
          </ul>
        </section>
      )}

      <div className="entscheidung-raster">
        <form
          className="entwurf"
          aria-label="Bescheidentwurf"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (darf) void speichern();
          }}
        >
          <fieldset disabled={!darf || laeuft} className="dialog-gruppe">
            <legend>Vorlage und Ergebnis</legend>
            <div className="dialog-feld">
              <label htmlFor={`${id}-vorlage`}>Vorlage</label>
              <select
                id={`${id}-vorlage`}
                data-testid="entwurf-vorlage"
                value={entwurf.vorlage}
                onChange={(e) => void vorbelegen(e.target.value, entwurf.ergebnis)}
              >
                {ansicht.vorlagen.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.bezeichnung}
                  </option>
                ))}
              </select>
            </div>
            <div role="radiogroup" aria-label="Ergebnis" className="ergebnis-wahl">
              {ERGEBNISSE.map((e) => (
                <label key={e.id}>
                  <input
                    type="radio"
                    name={`${id}-ergebnis`}
                    data-testid={`ergebnis-${e.id}`}
                    checked={entwurf.ergebnis === e.id}
                    onChange={() => void vorbelegen(entwurf.vorlage, e.id)}
                  />{' '}
                  {e.label}
                </label>
              ))}
            </div>
            <span className="hilfe-text">Ein Wechsel belegt Tenor, Begründung und Angaben neu aus der Vorlage vor.</span>
          </fieldset>

          <fieldset disabled={!darf || laeuft} className="dialog-gruppe">
            <legend>Angaben</legend>
            {entwurf.angaben.map((a, i) => {
              const lang = a.wert.includes('\n') || a.wert.length > 60;
              const fid = `${id}-angabe-${a.schluessel}`;
              const setzen = (w: string) =>
                aendern((e) => ({ ...e, angaben: e.angaben.map((x, j) => (j === i ? { ...x, wert: w } : x)) }));
              return (
                <div className="dialog-feld" key={a.schluessel}>
                  <label htmlFor={fid}>{a.bezeichnung}</label>
                  {lang ? (
                    <textarea id={fid} rows={Math.min(8, a.wert.split('\n').length + 1)} value={a.wert} data-testid={`angabe-${a.schluessel}`} onChange={(e) => setzen(e.target.value)} />
                  ) : (
                    <input id={fid} inputMode={a.zahl ? 'numeric' : undefined} value={a.wert} data-testid={`angabe-${a.schluessel}`} onChange={(e) => setzen(e.target.value)} />
                  )}
                </div>
              );
            })}
          </fieldset>

          <fieldset disabled={!darf || laeuft} className="dialog-gruppe">
            <legend>Text des Bescheids</legend>
            <div className="dialog-feld">
              <label htmlFor={`${id}-tenor`}>Tenor (Entscheidung; Punkte durch eine Leerzeile trennen)</label>
              <textarea
                id={`${id}-tenor`}
                rows={6}
                data-testid="entwurf-tenor"
                value={alsText(entwurf.tenor)}
                onChange={(e) => aendern((x) => ({ ...x, tenor: e.target.value.split(/\n\s*\n/) }))}
                onBlur={() => aendern((x) => ({ ...x, tenor: punkte(alsText(x.tenor)) }))}
              />
            </div>
            <div className="dialog-feld">
              <label htmlFor={`${id}-begruendung`}>Begründung</label>
              <textarea
                id={`${id}-begruendung`}
                rows={10}
                data-testid="entwurf-begruendung"
                value={entwurf.begruendung}
                onChange={(e) => aendern((x) => ({ ...x, begruendung: e.target.value }))}
              />
            </div>
            <div className="dialog-feld">
              <label htmlFor={`${id}-neben`}>Nebenbestimmungen und Hinweise (durch eine Leerzeile trennen)</label>
              <textarea
                id={`${id}-neben`}
                rows={5}
                data-testid="entwurf-nebenbestimmungen"
                value={alsText(entwurf.nebenbestimmungen)}
                onChange={(e) => aendern((x) => ({ ...x, nebenbestimmungen: e.target.value.split(/\n\s*\n/) }))}
                onBlur={() => aendern((x) => ({ ...x, nebenbestimmungen: punkte(alsText(x.nebenbestimmungen)) }))}
              />
            </div>
          </fieldset>

          <fieldset disabled={!darf || laeuft} className="dialog-gruppe">
            <legend>Gebühren</legend>
            <table className="gebuehren" data-testid="gebuehren">
              <thead>
                <tr>
                  <th scope="col">Bezeichnung</th>
                  <th scope="col">Rechtsgrundlage</th>
                  <th scope="col">Betrag in €</th>
                  <th scope="col">
                    <span className="sr-only">Entfernen</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {entwurf.gebuehren.map((g, i) => (
                  <GebuehrReihe key={i} nr={i} g={g} onAendern={(x) => gebuehr(i, x)} onEntfernen={() => aendern((e) => ({ ...e, gebuehren: e.gebuehren.filter((_, j) => j !== i) }))} />
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={2}>
                    Summe
                  </th>
                  <td data-testid="gebuehren-summe">{centText(summe)} €</td>
                  <td />
                </tr>
              </tfoot>
            </table>
            <button
              type="button"
              className="knopf"
              data-testid="gebuehr-neu"
              onClick={() => aendern((e) => ({ ...e, gebuehren: [...e.gebuehren, { bezeichnung: '', rechtsgrundlage: '', betrag_cent: 0 }] }))}
            >
              Gebühr hinzufügen
            </button>
            {summe > 0 && (
              <>
                <div className="dialog-feld">
                  <label htmlFor={`${id}-kz`}>Kassenzeichen</label>
                  <input id={`${id}-kz`} data-testid="entwurf-kassenzeichen" value={entwurf.kassenzeichen} onChange={(e) => aendern((x) => ({ ...x, kassenzeichen: e.target.value }))} />
                </div>
                <div className="dialog-feld">
                  <label htmlFor={`${id}-faellig`}>Zahlbar bis</label>
                  <input id={`${id}-faellig`} type="date" data-testid="entwurf-faellig" value={entwurf.faellig_am} onChange={(e) => aendern((x) => ({ ...x, faellig_am: e.target.value }))} />
                </div>
                <span className="hilfe-text">Der Bescheid trägt Bankverbindung, Kassenzeichen und einen GiroCode zum Überweisen.</span>
              </>
            )}
          </fieldset>

          <details className="dialog-gruppe">
            <summary>Rechtsbehelfsbelehrung (vom Land vorgegeben, nicht änderbar)</summary>
            <p className="rbb" data-testid="rechtsbehelfsbelehrung">
              {ansicht.rechtsbehelfsbelehrung}
            </p>
          </details>

          <div className="aktionen" role="group" aria-label="Schritte der Entscheidung">
            <Schritt testid="entwurf-speichern" label="Entwurf speichern" m={ansicht.bearbeiten} laeuft={laeuft} primaer onClick={() => void speichern()} typ="submit" />
            <Schritt testid="entwurf-vorlegen" label="Zur Freigabe vorlegen" m={geaendert && darf ? { moeglich: true, hinweis: null } : ansicht.vorlegen} laeuft={laeuft} onClick={() => void vorlegen()} />
            {/* Clickable while the draft waits for approval: a refusal (Vier-Augen-Prinzip, no
                Zeichnungsbefugnis) is the backend's answer, shown as the error below. */}
            <Schritt
              testid="entwurf-freigeben"
              label="Freigeben und siegeln …"
              m={detail.status === 'entscheidung_in_freigabe' ? { moeglich: true, hinweis: null } : ansicht.freigeben}
              hinweis={ansicht.freigeben.hinweis}
              laeuft={laeuft}
              ernst
              onClick={() => (ansicht.freigeben.moeglich ? setFreigabeFrage(true) : void freigeben())}
            />
            <Schritt testid="entwurf-zurueckgeben" label="Zurückgeben …" m={ansicht.zurueckgeben} laeuft={laeuft} onClick={() => setKommentar('')} />
          </div>
          {freigabeFrage && (
            <div className="dialog-gruppe" role="group" aria-label="Freigabe bestätigen" data-testid="freigabe-frage">
              <p>
                Den Bescheid jetzt freigeben, elektronisch siegeln und an die antragstellende Person senden? Das lässt sich nicht rückgängig
                machen.
              </p>
              <button type="button" className="knopf primaer" autoFocus data-testid="freigabe-bestaetigen" disabled={laeuft} onClick={() => void freigeben()}>
                Jetzt freigeben
              </button>{' '}
              <button type="button" className="knopf" onClick={() => setFreigabeFrage(false)}>
                Abbrechen
              </button>
            </div>
          )}
          {kommentar !== null && (
            <div className="dialog-gruppe" data-testid="zurueckgeben-formular">
              <div className="dialog-feld">
                <label htmlFor={`${id}-kommentar`}>Was ist zu ändern? (steht im Verlauf)</label>
                <textarea id={`${id}-kommentar`} rows={3} autoFocus data-testid="zurueckgeben-kommentar" value={kommentar} onChange={(e) => setKommentar(e.target.value)} />
              </div>
              <button type="button" className="knopf primaer" data-testid="zurueckgeben-senden" disabled={laeuft} onClick={() => void zurueckgeben()}>
                Zur Überarbeitung zurückgeben
              </button>{' '}
              <button type="button" className="knopf" onClick={() => setKommentar(null)}>
                Abbrechen
              </button>
            </div>
          )}
          <p className="meldung" role="status" data-testid="entscheidung-meldung">
            {meldung}
          </p>
          {fehler && <Fehler fehler={fehler} titel="Nicht möglich" />}
        </form>

        <section className="vorschau" aria-labelledby={`${id}-vorschau`} data-testid="bescheid-vorschau">
          <h3 id={`${id}-vorschau`}>
            Vorschau {vorschau && vorschau.seiten.length > 0 && `(${vorschau.seiten.length} ${vorschau.seiten.length === 1 ? 'Seite' : 'Seiten'}, gesetzt in ${vorschau.millis} ms)`}
          </h3>
          <p role="status" className="hinweis">
            {setztGerade ? 'Die Vorschau wird gesetzt …' : ''}
          </p>
          {vorschau?.fehler && (
            <p className="vorschau-fehler" role="alert" data-testid="vorschau-fehler">
              So lässt sich der Bescheid nicht setzen: {vorschau.fehler}
            </p>
          )}
          {vorschau?.seiten.map((svg, i) => (
            <img
              key={i}
              className="vorschau-seite"
              data-testid="vorschau-seite"
              alt={`Seite ${i + 1} von ${vorschau.seiten.length} der Vorschau des Bescheids`}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
            />
          ))}
        </section>
      </div>
    </div>
  );
}

function GebuehrReihe({ nr, g, onAendern, onEntfernen }: { nr: number; g: GebuehrZeile; onAendern: (g: Partial<GebuehrZeile>) => void; onEntfernen: () => void }) {
  const [betrag, setBetrag] = useState(centText(g.betrag_cent));
  const ungueltig = textCent(betrag) === null;
  return (
    <tr>
      <td>
        <input aria-label={`Bezeichnung der Gebühr ${nr + 1}`} value={g.bezeichnung} onChange={(e) => onAendern({ bezeichnung: e.target.value })} />
      </td>
      <td>
        <input aria-label={`Rechtsgrundlage der Gebühr ${nr + 1}`} value={g.rechtsgrundlage} onChange={(e) => onAendern({ rechtsgrundlage: e.target.value })} />
      </td>
      <td>
        <input
          aria-label={`Betrag der Gebühr ${nr + 1} in Euro`}
          aria-invalid={ungueltig}
          inputMode="decimal"
          value={betrag}
          data-testid={`gebuehr-betrag-${nr}`}
          onChange={(e) => {
            setBetrag(e.target.value);
            const c = textCent(e.target.value);
            if (c !== null) onAendern({ betrag_cent: c });
          }}
        />
        {ungueltig && <span className="hinweis">Betrag wie „39,00“ eingeben.</span>}
      </td>
      <td>
        <button type="button" className="knopf" aria-label={`Gebühr ${nr + 1} entfernen`} onClick={onEntfernen}>
          ✕
        </button>
      </td>
    </tr>
  );
}

function Schritt({
  testid,
  label,
  m,
  hinweis,
  laeuft,
  onClick,
  primaer,
  ernst,
  typ = 'button',
}: {
  testid: string;
  label: string;
  m: { moeglich: boolean; hinweis: string | null };
  /** A hint shown even while the button is enabled. */
  hinweis?: string | null;
  laeuft: boolean;
  onClick: () => void;
  primaer?: boolean;
  ernst?: boolean;
  typ?: 'button' | 'submit';
}) {
  const hid = useId();
  const text = m.moeglich ? hinweis : m.hinweis;
  return (
    <span className="aktion">
      <button
        type={typ}
        className={`knopf${primaer ? ' primaer' : ''}${ernst ? ' ernst' : ''}`}
        data-testid={testid}
        disabled={!m.moeglich || laeuft}
        aria-describedby={text ? hid : undefined}
        onClick={typ === 'submit' ? undefined : onClick}
      >
        {label}
      </button>
      {text && (
        <span id={hid} className="hinweis">
          {text}
        </span>
      )}
    </span>
  );
}
