// The conversation with the applicant in the case view: whether the case can write back
// (FIT-Connect reply channel), the Nachforderung with its checklist of requested Nachweise, the
// buttons that open the composer, and the thread, newest first, with the delivery state of
// every outgoing message („Erneut senden“ for a failed one, „Per Brief“ for a letter). Without a
// reply channel the composer stays open to use: it saves the message as a letter to post.
// Everything is plain text.

import { useId, useRef, useState } from 'react';
import { nachrichtErneutSenden, nachweisAbhaken, type IpcError, type VorgangDetail } from '../ipc';
import { datum, zeitpunkt } from '../lib/format';
import { Fehler } from './Fehler';
import type { NachforderungInfo, NachrichtInfo, NachweisStand, SchreibArt } from './nachrichtTypen';

interface Props {
  detail: VorgangDetail;
  onNeu: (d: VorgangDetail) => void;
  onSchreiben: (art: SchreibArt) => void;
}

export function Nachrichten({ detail, onNeu, onSchreiben }: Props) {
  const basis = useId();
  const [meldung, setMeldung] = useState('');
  const kanal = detail.rueckkanal;
  const perBrief = !kanal.fit_connect;
  const hinweisId = `${basis}-kanal`;
  const nf = detail.nachforderung;
  const erinnerungMoeglich = nf !== null && detail.status === 'nachforderung_offen';

  return (
    <>
      <h3>Nachrichten mit der antragstellenden Person</h3>
      {perBrief && (
        <div className="rueckkanal-hinweis" data-testid="rueckkanal-hinweis">
          <p id={hinweisId}>
            <strong>Kein elektronischer Rückkanal:</strong>{' '}
            {kanal.hinweis ?? 'Für diesen Vorgang gibt es keinen FIT-Connect-Rückkanal.'} Nachrichten, Nachforderungen und
            Erinnerungen speichern Sie nach der Vorschau als Brief (PDF), drucken ihn und versenden ihn per Post.
          </p>
          {kanal.andere.length > 0 && (
            <>
              <p>Die antragstellende Person hat außerdem angegeben:</p>
              <ul data-testid="rueckkanal-andere">
                {kanal.andere.map((a: string, i: number) => (
                  <li key={i}>{a}</li>
                ))}
              </ul>
              <p className="hinweis">Nur zur Information: Amtsstube sendet über diese Wege nicht.</p>
            </>
          )}
        </div>
      )}

      {nf && <Nachforderung detail={detail} nf={nf} offen={erinnerungMoeglich} onNeu={onNeu} onMeldung={setMeldung} />}

      <div className="nachricht-knoepfe" role="group" aria-label="Nachricht an die antragstellende Person">
        <button
          type="button"
          className="knopf"
          data-testid="nachricht-schreiben"
          aria-describedby={perBrief ? hinweisId : undefined}
          onClick={() => onSchreiben('nachricht')}
        >
          Nachricht schreiben
        </button>
        <button
          type="button"
          className="knopf"
          data-testid="eingangsbestaetigung-senden"
          aria-describedby={perBrief ? hinweisId : undefined}
          onClick={() => onSchreiben('eingangsbestaetigung')}
        >
          Eingangsbestätigung senden
        </button>
        {erinnerungMoeglich && (
          <button
            type="button"
            className="knopf"
            data-testid="erinnerung-senden"
            aria-describedby={perBrief ? hinweisId : undefined}
            onClick={() => onSchreiben('erinnerung')}
          >
            Erinnerung senden
          </button>
        )}
      </div>
      <p className="meldung" role="status" data-testid="nachrichten-meldung">
        {meldung}
      </p>

      <h4 className="unsichtbar">Verlauf der Nachrichten</h4>
      {detail.nachrichten.length === 0 ? (
        <p className="empty">Noch keine Nachrichten.</p>
      ) : (
        <ol className="nachrichten" data-testid="nachrichten" aria-label="Nachrichten, neueste zuerst">
          {detail.nachrichten.map((n, i) => (
            <Nachricht key={n.auftrag ?? `n-${i}`} n={n} vorgangId={detail.id} onNeu={onNeu} onMeldung={setMeldung} />
          ))}
        </ol>
      )}
    </>
  );
}

function Nachricht({
  n,
  vorgangId,
  onNeu,
  onMeldung,
}: {
  n: NachrichtInfo;
  vorgangId: string;
  onNeu: (d: VorgangDetail) => void;
  onMeldung: (m: string) => void;
}) {
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [laeuft, setLaeuft] = useState(false);
  const liRef = useRef<HTMLLIElement>(null);
  const auftrag = n.auftrag;
  // A letter is not sent by Amtsstube: the caseworker prints and posts it.
  const richtung = n.eingehend ? 'Eingegangen' : n.zustellung === 'brief' ? 'Als Brief erstellt' : 'Gesendet';

  const erneut = () => {
    if (!auftrag || laeuft) return;
    setLaeuft(true);
    setFehler(null);
    nachrichtErneutSenden(vorgangId, auftrag).then(
      (d) => {
        setLaeuft(false);
        onNeu(d);
        onMeldung(`„${n.betreff}“ steht wieder im Postausgang und wird erneut gesendet.`);
        // The button is gone now; focus the message instead of losing it.
        liRef.current?.focus();
      },
      (e: IpcError) => {
        setLaeuft(false);
        setFehler(e);
      },
    );
  };

  return (
    <li
      className={`nachricht${n.eingehend ? ' eingehend' : ' ausgehend'}`}
      data-testid="nachricht"
      data-art={n.art}
      data-zustellung={n.zustellung}
      data-auftrag={auftrag ?? undefined}
      ref={liRef}
      tabIndex={-1}
    >
      <p className="nachricht-kopf">
        <span className="nachricht-art">{n.art_text}</span> · <span className="nachricht-richtung">{richtung}</span> ·{' '}
        <time dateTime={n.zeit}>{zeitpunkt(n.zeit)}</time>
        {n.von && <> · von {n.von}</>}
      </p>
      <h5 className="nachricht-betreff" data-testid="nachricht-titel">
        {n.betreff}
      </h5>
      <p className="klartext nachricht-text" data-testid="nachricht-inhalt">
        {n.text}
      </p>
      {n.anlagen.length > 0 && (
        <div className="nachricht-anlagen">
          <span className="marke">Anlagen:</span>
          <ul aria-label="Anlagen der Nachricht" data-testid="nachricht-anlagen">
            {n.anlagen.map((a: string, i: number) => (
              <li key={i}>{a}</li>
            ))}
          </ul>
        </div>
      )}
      {!n.eingehend && (
        <div className={`zustellung zustellung-${n.zustellung}`} data-testid="nachricht-zustellung">
          <p>
            <span className="marke">Zustellung:</span> {n.zustellung_text}
          </p>
          {n.fehler && (
            <p className="zustellung-grund" data-testid="nachricht-fehler">
              {n.zustellung === 'fehler' ? 'Grund: ' : 'Letzter Fehler: '}
              {n.fehler}
            </p>
          )}
          {n.zustellung === 'fehler' && auftrag && (
            <button
              type="button"
              className="knopf"
              data-testid="nachricht-erneut-senden"
              aria-label={`Erneut senden: ${n.betreff}`}
              aria-busy={laeuft}
              onClick={erneut}
            >
              Erneut senden
            </button>
          )}
          {fehler && <Fehler fehler={fehler} titel="Nicht erneut gesendet" />}
        </div>
      )}
    </li>
  );
}

function Nachforderung({
  detail,
  nf,
  offen,
  onNeu,
  onMeldung,
}: {
  detail: VorgangDetail;
  nf: NachforderungInfo;
  offen: boolean;
  onNeu: (d: VorgangDetail) => void;
  onMeldung: (m: string) => void;
}) {
  const basis = useId();
  const [laeuft, setLaeuft] = useState<string | null>(null);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const eingegangen = nf.nachweise.filter((n: NachweisStand) => n.eingegangen).length;

  const abhaken = (n: NachweisStand, an: boolean) => {
    // One tick at a time; the box shows the stored state (it changes with the answer).
    if (laeuft !== null) return;
    setLaeuft(n.id);
    setFehler(null);
    nachweisAbhaken(detail.id, n.id, an).then(
      (d) => {
        setLaeuft(null);
        onNeu(d);
        onMeldung(`„${n.bezeichnung}“ ${an ? 'als eingegangen abgehakt' : 'wieder als offen markiert'}.`);
      },
      (e: IpcError) => {
        setLaeuft(null);
        setFehler(e);
      },
    );
  };

  return (
    <section className="nachforderung" data-testid="nachforderung" aria-labelledby={`${basis}-titel`}>
      <h4 id={`${basis}-titel`}>{offen ? 'Nachgeforderte Unterlagen' : 'Letzte Nachforderung'}</h4>
      {nf.abgelaufen && (
        <p className="frist-abgelaufen" data-testid="frist-abgelaufen">
          <strong>Frist abgelaufen:</strong> Die Frist endete am {datum(nf.frist)}, und es fehlen noch Unterlagen. Senden Sie eine
          Erinnerung oder entscheiden Sie nach Aktenlage.
        </p>
      )}
      <dl className="facts">
        <dt>Frist</dt>
        <dd data-testid="nachforderung-frist-anzeige">{datum(nf.frist)}</dd>
        <dt>Angefordert</dt>
        <dd data-testid="nachforderung-gesendet">
          am {zeitpunkt(nf.gesendet)} von {nf.von}
        </dd>
        {nf.erinnerungen.length > 0 && (
          <>
            <dt>Erinnert</dt>
            <dd data-testid="nachforderung-erinnerungen">{nf.erinnerungen.map((z: string) => zeitpunkt(z)).join('; ')}</dd>
          </>
        )}
      </dl>
      <fieldset className="dialog-gruppe" data-testid="nachweis-checkliste">
        <legend>
          Nachweise: {eingegangen} von {nf.nachweise.length} eingegangen
        </legend>
        <p className="hilfe-text">Haken Sie einen Nachweis ab, sobald er vorliegt.</p>
        <ul className="auswahl-liste">
          {nf.nachweise.map((n: NachweisStand) => {
            const cid = `${basis}-nw-${n.id}`;
            return (
              <li key={n.id} data-testid="nachweis-stand" data-nachweis={n.id} data-eingegangen={n.eingegangen}>
                <input
                  type="checkbox"
                  id={cid}
                  data-testid={`nachweis-abhaken-${n.id}`}
                  checked={n.eingegangen}
                  aria-busy={laeuft === n.id}
                  aria-describedby={n.wie ? `${cid}-wie` : undefined}
                  onChange={(e) => abhaken(n, e.target.checked)}
                />
                <label htmlFor={cid}>{n.bezeichnung}</label>
                {n.wie && (
                  <span id={`${cid}-wie`} className="nachweis-wie">
                    {' '}
                    – {n.wie}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </fieldset>
      {fehler && <Fehler fehler={fehler} titel="Nicht abgehakt" />}
    </section>
  );
}
