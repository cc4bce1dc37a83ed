// The hand-over of a finished case to the E-Akte, as the case view and the Posteingang show it:
// the confirmation dialog (a native modal <dialog> like AktionDialog: focus inside, Esc
// cancels, focus returns to the opener) that first lists exactly what goes — from
// `eakte_vorschau`, the same message the backend will build — and only then hands over; the
// case's E-Akte block (step, reference, dates, delivery and import errors, the tombstone
// notice); and the E-Akte's state above the view „Abgabe offen“.

import { KolAlert } from '@public-ui/react';
import { useEffect, useId, useRef, useState } from 'react';
import { eakteAbgeben, eakteStatus, eakteVorschau, type IpcError, type VorgangDetail } from '../ipc';
import { useModalerDialog } from '../lib/dialog';
import { datum, groesse, zeitpunkt } from '../lib/format';
import { Fehler } from './Fehler';

export type EAkteInfo = NonNullable<VorgangDetail['eakte']>;
type Vorschau = Awaited<ReturnType<typeof eakteVorschau>>;
type Stand = Awaited<ReturnType<typeof eakteStatus>>;

/** Statuses in which a case is finished and can go to the E-Akte (the status machine's set). */
const ABGESCHLOSSEN: readonly string[] = ['beschieden', 'zurueckgewiesen', 'weitergeleitet', 'zurueckgezogen'];

/**
 * Whether the case view offers „An E-Akte abgeben …“: a finished case not yet handed over, or
 * one whose import the E-Akte refused (then „Erneut …“).
 */
export function abgabeMoeglich(d: VorgangDetail): 'erstmals' | 'erneut' | null {
  if (d.eakte?.zustand === 'fehler') return 'erneut';
  if (!d.eakte && ABGESCHLOSSEN.includes(d.status)) return 'erstmals';
  return null;
}

interface DialogProps {
  detail: VorgangDetail;
  onAbbrechen: () => void;
  /** Handed over: the case as the backend returns it. */
  onAbgegeben: (d: VorgangDetail) => void;
  /** Where focus goes when the opener is gone (e.g. the action button left the list). */
  onFokusErsatz?: () => void;
}

export function EAkteAbgabeDialog({ detail, onAbbrechen, onAbgegeben, onFokusErsatz }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const abgebenRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const [vorschau, setVorschau] = useState<Vorschau | null>(null);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [laeuft, setLaeuft] = useState(false);
  const erneut = vorschau ? vorschau.erneut : detail.eakte?.zustand === 'fehler';
  const titel = erneut ? 'Erneut an die E-Akte abgeben' : 'An die E-Akte abgeben';
  const laedt = !vorschau && !fehler;

  useModalerDialog(ref, (d) => d.querySelector<HTMLElement>('[data-testid=eakte-abbrechen]'), onFokusErsatz);

  useEffect(() => {
    let aus = false;
    eakteVorschau(detail.id).then(
      (v) => {
        if (!aus) setVorschau(v);
      },
      (e: IpcError) => {
        if (!aus) setFehler(e);
      },
    );
    return () => {
      aus = true;
    };
  }, [detail.id]);

  // Once the list is there, „Abgeben“ is the next step; before, focus stays on „Abbrechen“.
  useEffect(() => {
    if (vorschau) abgebenRef.current?.focus();
  }, [vorschau]);

  const abgeben = () => {
    if (!vorschau || laeuft) return;
    setLaeuft(true);
    setFehler(null);
    eakteAbgeben(detail.id).then(onAbgegeben, (e: IpcError) => {
      setLaeuft(false);
      setFehler(e);
    });
  };

  return (
    <dialog
      ref={ref}
      className="dialog dialog-breit"
      aria-labelledby={`${id}-titel`}
      aria-describedby={`${id}-text`}
      aria-busy={laedt || laeuft}
      data-testid="eakte-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!laeuft) onAbbrechen();
      }}
    >
      <form
        method="dialog"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          abgeben();
        }}
      >
        <h2 id={`${id}-titel`}>{titel}</h2>
        <p id={`${id}-text`}>
          Vorgang {detail.aktenzeichen}: Diese Dokumente gehen an die E-Akte. Prüfen Sie die Liste und bestätigen Sie mit „Abgeben“.
        </p>
        {laedt && (
          <p role="status" data-testid="eakte-vorschau-laedt">
            Die Abgabe wird zusammengestellt …
          </p>
        )}
        {vorschau && (
          <>
            {vorschau.erneut && (
              <p className="hinweis" data-testid="eakte-erneut-hinweis">
                Die E-Akte hatte die letzte Übernahme abgelehnt. Die Abgabe wird als neuer Vorgang der E-Akte wiederholt.
              </p>
            )}
            <dl className="facts">
              <dt>Ziel</dt>
              <dd data-testid="eakte-ziel">{vorschau.ziel}</dd>
              <dt>Größe des Pakets</dt>
              <dd data-testid="eakte-paketgroesse">{groesse(vorschau.groesse)}</dd>
            </dl>
            <div className="eakte-tabelle" role="region" aria-label="Dokumente der Abgabe" tabIndex={0}>
            <table className="anlagen" data-testid="eakte-dokumente">
              <caption>
                {vorschau.dokumente.length === 1 ? '1 Dokument' : `${vorschau.dokumente.length} Dokumente`} in der Abgabe
              </caption>
              <thead>
                <tr>
                  <th scope="col">Titel</th>
                  <th scope="col">Art</th>
                  <th scope="col">Dateiname</th>
                  <th scope="col">Größe</th>
                  <th scope="col">Siegel</th>
                </tr>
              </thead>
              <tbody>
                {vorschau.dokumente.map((d) => (
                  <tr key={d.dateiname} data-testid="eakte-dokument">
                    <td>{d.titel}</td>
                    <td>{d.typ}</td>
                    <td className="anlage-name">{d.dateiname}</td>
                    <td>{groesse(d.groesse)}</td>
                    <td>
                      {d.signiert ? (
                        <span className="marke" data-testid="eakte-gesiegelt">
                          gesiegelt
                        </span>
                      ) : (
                        <>
                          <span aria-hidden="true">–</span>
                          <span className="unsichtbar">nicht gesiegelt</span>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
            <p data-testid="eakte-karenz">Nach der Bestätigung durch die E-Akte wird die lokale Kopie nach {vorschau.karenz} gelöscht.</p>
          </>
        )}
        {fehler && <Fehler fehler={fehler} />}
        <p className="meldung" role="status" data-testid="eakte-dialog-meldung">
          {laeuft ? 'Der Vorgang wird an die E-Akte abgegeben …' : ''}
        </p>
        <div className="dialog-knoepfe">
          <button
            type="submit"
            ref={abgebenRef}
            className="knopf primaer"
            data-testid="eakte-abgeben"
            disabled={!vorschau || laeuft}
            aria-busy={laeuft}
          >
            {laeuft ? 'Wird abgegeben …' : 'Abgeben'}
          </button>
          <button type="button" className="knopf" data-testid="eakte-abbrechen" disabled={laeuft} onClick={onAbbrechen}>
            Abbrechen
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The badge in the case header: the hand-over's step as shown, e.g. „Zu den Akten“. */
export function EAkteMarke({ eakte }: { eakte: EAkteInfo }) {
  return (
    <span className={`eakte-marke eakte-${eakte.zustand}`} data-testid="eakte-zustand" data-zustand={eakte.zustand}>
      {eakte.zustand_text}
    </span>
  );
}

/** The case's E-Akte block: where the hand-over stands, with what went wrong. */
export function EAkteBlock({ eakte }: { eakte: EAkteInfo }) {
  const id = useId();
  return (
    <section className="eakte-block" data-testid="eakte-block" aria-labelledby={`${id}-titel`}>
      <h3 id={`${id}-titel`}>E-Akte</h3>
      {eakte.zustand === 'geloescht' && (
        <p className="eakte-geloescht" data-testid="eakte-geloescht">
          Die lokale Kopie wurde am {datum(eakte.geloescht)} nach der Übernahme durch die E-Akte gelöscht. E-Akte-Referenz: {eakte.referenz ?? 'unbekannt'}
        </p>
      )}
      {eakte.zustellfehler && (
        <div data-testid="eakte-zustellfehler">
          <KolAlert _type="warning" _variant="card" _label="Zustellung" _level={0}>
            Zustellung noch nicht gelungen: {eakte.zustellfehler} Die Zustellung wird automatisch wiederholt.
          </KolAlert>
        </div>
      )}
      {eakte.fehler && (
        <div data-testid="eakte-fehler">
          <KolAlert _type="error" _variant="card" _label="Übernahme abgelehnt" _level={0}>
            Die E-Akte hat die Übernahme abgelehnt: {eakte.fehler}
          </KolAlert>
        </div>
      )}
      <dl className="facts">
        <dt>Stand</dt>
        <dd data-testid="eakte-stand">{eakte.zustand_text}</dd>
        {eakte.referenz && (
          <>
            <dt>Referenz</dt>
            <dd data-testid="eakte-referenz">{eakte.referenz}</dd>
          </>
        )}
        <dt>Übergeben</dt>
        <dd data-testid="eakte-uebergeben">
          {zeitpunkt(eakte.uebergeben)} von {eakte.von} ({eakte.dokumente === 1 ? '1 Dokument' : `${eakte.dokumente} Dokumente`})
        </dd>
        <Zeit titel="Zugestellt" wert={eakte.zugestellt} testid="eakte-zugestellt" />
        <Zeit titel="Empfang bestätigt" wert={eakte.empfangen} testid="eakte-empfangen" />
        <Zeit titel="Zu den Akten genommen" wert={eakte.importiert} testid="eakte-importiert" />
        {eakte.zustand !== 'geloescht' && <Zeit titel="Lokale Kopie wird gelöscht ab" wert={eakte.loeschung_ab} testid="eakte-loeschung-ab" />}
        <Zeit titel="Lokale Kopie gelöscht" wert={eakte.geloescht} testid="eakte-geloescht-am" />
        <dt>Prozess-ID</dt>
        <dd>
          <code>{eakte.prozess_id}</code>
        </dd>
      </dl>
    </section>
  );
}

function Zeit({ titel, wert, testid }: { titel: string; wert: string | null; testid: string }) {
  if (!wert) return null;
  return (
    <>
      <dt>{titel}</dt>
      <dd data-testid={testid}>{zeitpunkt(wert)}</dd>
    </>
  );
}

/**
 * The E-Akte's state above the view „Abgabe offen“: where the messages go, how many are on
 * their way and what to act on. Read again whenever `neuLaden` changes (the Posteingang's
 * counts, which follow every change).
 */
export function EAkteUebersicht({ neuLaden }: { neuLaden: unknown }) {
  const [stand, setStand] = useState<Stand | null>(null);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const id = useId();

  useEffect(() => {
    let aus = false;
    eakteStatus().then(
      (s) => {
        if (aus) return;
        setStand(s);
        setFehler(null);
      },
      (e: IpcError) => {
        if (!aus) setFehler(e);
      },
    );
    return () => {
      aus = true;
    };
  }, [neuLaden]);

  return (
    <section className="eakte-uebersicht" data-testid="eakte-uebersicht" aria-labelledby={`${id}-titel`}>
      <h2 id={`${id}-titel`} className="eakte-uebersicht-titel">
        E-Akte
      </h2>
      {fehler && <Fehler fehler={fehler} titel="Stand der E-Akte" />}
      {!stand && !fehler && <p role="status">Stand der E-Akte wird geladen …</p>}
      {stand && !stand.eingerichtet && (
        <div data-testid="eakte-nicht-eingerichtet">
          <KolAlert _type="warning" _variant="card" _label="E-Akte" _level={0}>
            Keine E-Akte eingerichtet: {stand.ziel}
          </KolAlert>
        </div>
      )}
      {stand && stand.eingerichtet && (
        <p>
          <span data-testid="eakte-status-ziel">Ziel: {stand.ziel}</span>
          {' · '}
          <span data-testid="eakte-unterwegs">{stand.unterwegs === 1 ? '1 Abgabe unterwegs' : `${stand.unterwegs} Abgaben unterwegs`}</span>
        </p>
      )}
      {stand && stand.hinweise.length > 0 && (
        <div data-testid="eakte-hinweise">
          <KolAlert _type="warning" _variant="card" _label="Hinweise zur E-Akte" _level={0}>
            <ul className="eakte-hinweise">
              {stand.hinweise.map((h, i) => (
                <li key={i} data-testid="eakte-hinweis">
                  {h}
                </li>
              ))}
            </ul>
          </KolAlert>
        </div>
      )}
    </section>
  );
}
