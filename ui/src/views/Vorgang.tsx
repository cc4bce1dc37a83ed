// The case view: header with facts and the actions the status machine allows, and the tabs
// Antrag (generic form renderer), Anlagen (preview, Speichern unter…), Nachrichten (the
// conversation with the applicant, the Nachforderung), Entscheidung (the Bescheid draft, its
// preview and the four-eyes Freigabe), Notizen, Verlauf. The action whose input
// is a Nachforderung opens the message composer instead of the generic action dialog; the
// action „An die E-Akte übergeben“ (and the button „An E-Akte abgeben …“) opens the E-Akte
// dialog, which lists what goes before it hands over. Once handed over, the header shows the
// hand-over's step and the E-Akte block; after the purge the case is a tombstone.

import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import {
  aufVorgaengeGeaendert,
  notizHinzufuegen,
  vorgang,
  vorgangAktion,
  vorgangErneut,
  vorgangExportieren,
  type AktionInfo,
  type IpcError,
  type VorgangDetail,
} from '../ipc';
import { Formular } from '../formular/Formular';
import { zeitpunkt, datum } from '../lib/format';
import type { Befehl } from '../lib/tasten';
import { AktionDialog } from './AktionDialog';
import { Anlagen } from './Anlagen';
import { abgabeMoeglich, EAkteAbgabeDialog, EAkteBlock, EAkteMarke } from './EAkte';
import { Entscheidung } from './Entscheidung';
import { Fehler } from './Fehler';
import { FristAnzeige } from './FristAnzeige';
import { NachrichtDialog, type Versandweg } from './NachforderungDialog';
import { Nachrichten } from './Nachrichten';
import type { NachrichtVorschau, SchreibArt } from './nachrichtTypen';

type Tab = 'antrag' | 'anlagen' | 'nachrichten' | 'entscheidung' | 'notizen' | 'verlauf';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'antrag', label: 'Antrag' },
  { id: 'anlagen', label: 'Anlagen' },
  { id: 'nachrichten', label: 'Nachrichten' },
  { id: 'entscheidung', label: 'Entscheidung' },
  { id: 'notizen', label: 'Notizen' },
  { id: 'verlauf', label: 'Verlauf' },
];

interface Props {
  id: string;
  onZurueck: () => void;
  befehleRef: React.MutableRefObject<((b: Befehl) => boolean) | null>;
}

export function Vorgang({ id, onZurueck, befehleRef }: Props) {
  const [detail, setDetail] = useState<VorgangDetail | null>(null);
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [tab, setTab] = useState<Tab>('antrag');
  const [dialog, setDialog] = useState<AktionInfo | null>(null);
  const [komponist, setKomponist] = useState<SchreibArt | null>(null);
  const [eakteDialog, setEakteDialog] = useState(false);
  // A message about a step, with the status it reported: shown only while the case still has
  // that status, so it does not outlive a change from outside (documents arrived).
  const [meldung, setMeldungFuer] = useState<{ text: string; status: string } | null>(null);
  const setMeldung = (d: VorgangDetail, text: string) => setMeldungFuer({ text, status: d.status });
  const kopfRef = useRef<HTMLHeadingElement>(null);
  const basis = useId();

  useEffect(() => {
    // The component is keyed by the case id, so a new case starts with fresh state. Live: a
    // follow-up submission or another change to this case is read again (not audited as a
    // new opening) without reopening it; tab, scroll and focus stay where they are.
    let aus = false;
    const zeigen = (d: VorgangDetail) => {
      if (!aus) setDetail(d);
    };
    vorgang(id).then(zeigen, (e: IpcError) => {
      if (!aus) setFehler(e);
    });
    const ab = aufVorgaengeGeaendert(() => {
      // On failure the view keeps what it shows; the next change or reopening tries again.
      vorgangErneut(id).then(zeigen, () => {});
    });
    return () => {
      aus = true;
      ab();
    };
  }, [id]);

  useEffect(() => {
    if (detail) kopfRef.current?.focus();
    // Focus the heading once, when the case has loaded.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [detail?.id]);

  useEffect(() => {
    befehleRef.current = (b: Befehl) => {
      if (b === 'zurueck') {
        onZurueck();
        return true;
      }
      return false;
    };
    return () => {
      befehleRef.current = null;
    };
  });

  const ausfuehren = useCallback(
    async (a: AktionInfo, eingabe: { begruendung?: string; empfaenger?: string; datum?: string }) => {
      const d = await vorgangAktion({
        id,
        aktion: a.aktion,
        begruendung: eingabe.begruendung ?? null,
        empfaenger: eingabe.empfaenger ?? null,
        datum: eingabe.datum ?? null,
      });
      setDetail(d);
      setFehler(null);
      setMeldung(d, `„${a.bezeichnung}“ ausgeführt. Status: ${d.status_text}.`);
    },
    [id],
  );

  const gesendet = (art: SchreibArt, d: VorgangDetail, v: NachrichtVorschau, weg: Versandweg) => {
    setDetail(d);
    setFehler(null);
    setKomponist(null);
    if (weg === 'brief') {
      setMeldung(d, `Brief gespeichert und im Vorgang vermerkt. Status: ${d.status_text}.`);
      return;
    }
    const was =
      art === 'nachforderung'
        ? 'Die Nachforderung'
        : art === 'erinnerung'
          ? 'Die Erinnerung'
          : art === 'eingangsbestaetigung'
            ? 'Die Eingangsbestätigung'
            : 'Die Nachricht';
    setMeldung(d, `${was} „${v.betreff}“ steht im Postausgang und wird gesendet. Status: ${d.status_text}.`);
  };

  const aktionKlick = (a: AktionInfo) => {
    if (!a.moeglich) return;
    if (a.eingabe === 'nachforderung') {
      setKomponist('nachforderung');
      return;
    }
    if (a.aktion === 'an_e_akte_uebergeben') {
      // Never blindly: the dialog lists what goes to the E-Akte first.
      setEakteDialog(true);
      return;
    }
    if (a.bestaetigen || a.eingabe) {
      setDialog(a);
      return;
    }
    ausfuehren(a, {}).catch((e: IpcError) => setFehler(e));
  };

  const tabTaste = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    let n = -1;
    if (e.key === 'ArrowRight') n = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') n = (i + TABS.length - 1) % TABS.length;
    else if (e.key === 'Home') n = 0;
    else if (e.key === 'End') n = TABS.length - 1;
    if (n < 0) return;
    e.preventDefault();
    const t = TABS[n]!;
    setTab(t.id);
    document.getElementById(`${basis}-tab-${t.id}`)?.focus();
  };

  const abgabe = detail ? abgabeMoeglich(detail) : null;
  const abgabeAktion = detail?.aktionen.find((a) => a.aktion === 'an_e_akte_uebergeben');

  return (
    <div className="vorgang-seite">
      <button type="button" className="knopf zurueck" data-testid="zurueck" onClick={onZurueck} aria-keyshortcuts="Escape">
        ← Zurück zum Posteingang
      </button>
      {fehler && <Fehler fehler={fehler} />}
      {!detail && !fehler && <p>Vorgang wird geladen …</p>}
      {detail && (
        <>
          <section className="vorgang-kopf" data-testid="vorgang-kopf" aria-labelledby={`${basis}-az`}>
            <h2 id={`${basis}-az`} ref={kopfRef} tabIndex={-1} className="aktenzeichen">
              Vorgang {detail.aktenzeichen}
            </h2>
            <dl className="facts kopf-fakten">
              <dt>Leistung</dt>
              <dd>
                {detail.leistung} <span className="leika">(LeiKa {detail.leika})</span>
              </dd>
              <dt>Antragsteller</dt>
              <dd>{detail.antragsteller.name || '–'}</dd>
              <dt>Eingang</dt>
              <dd>{zeitpunkt(detail.eingang)}</dd>
              <dt>Frist</dt>
              <dd>
                <FristAnzeige frist={detail.frist} faelligkeit={detail.faelligkeit} />
              </dd>
              <dt>Status</dt>
              <dd data-testid="vorgang-status">
                {detail.status_text}
                {detail.bescheid?.zahlung_offen && (
                  <strong className="zahlung-offen" data-testid="kopf-zahlung-offen">
                    {' '}
                    Zahlung offen
                  </strong>
                )}
              </dd>
              <dt>Zuständig</dt>
              <dd data-testid="vorgang-zustaendig">{detail.zustaendig ?? 'nicht zugewiesen'}</dd>
              {detail.nachforderung && detail.status === 'nachforderung_offen' && (
                <>
                  <dt>Unterlagen bis</dt>
                  <dd data-testid="kopf-nachforderung">
                    {datum(detail.nachforderung.frist)}
                    {detail.nachforderung.abgelaufen && <strong className="frist-abgelaufen-marke"> – Frist abgelaufen</strong>}
                  </dd>
                </>
              )}
              {detail.wiedervorlage && (
                <>
                  <dt>Wiedervorlage</dt>
                  <dd>{datum(detail.wiedervorlage)}</dd>
                </>
              )}
              <dt>Priorität</dt>
              <dd>{detail.prioritaet}</dd>
              {detail.eakte && (
                <>
                  <dt>E-Akte</dt>
                  <dd>
                    <EAkteMarke eakte={detail.eakte} />
                  </dd>
                </>
              )}
            </dl>
            <div className="aktionen" role="group" aria-label="Aktionen">
              {detail.aktionen.map((a) => {
                const hid = `${basis}-hinweis-${a.aktion}`;
                return (
                  <span className="aktion" key={a.aktion}>
                    <button
                      type="button"
                      className={`knopf${a.bestaetigen ? ' ernst' : ''}`}
                      data-testid={`aktion-${a.aktion}`}
                      disabled={!a.moeglich}
                      aria-describedby={!a.moeglich && a.hinweis ? hid : undefined}
                      title={!a.moeglich && a.hinweis ? a.hinweis : undefined}
                      onClick={() => aktionKlick(a)}
                    >
                      {a.bezeichnung}
                      {(a.bestaetigen || a.eingabe || a.aktion === 'an_e_akte_uebergeben') && '…'}
                    </button>
                    {!a.moeglich && a.hinweis && (
                      <span id={hid} className="hinweis">
                        {a.hinweis}
                      </span>
                    )}
                  </span>
                );
              })}
            </div>
            {(detail.status === 'weitergeleitet' || detail.status === 'zurueckgewiesen' || detail.status === 'beschieden') && (
              <p>
                <button
                  type="button"
                  className="knopf"
                  data-testid="vorgang-exportieren"
                  onClick={() =>
                    vorgangExportieren(detail.id).then(
                      (ordner) => {
                        if (ordner) setMeldung(detail, `Antrag mit allen Dokumenten exportiert nach ${ordner}`);
                      },
                      (e: IpcError) => setFehler(e),
                    )
                  }
                >
                  Antrag exportieren …
                </button>{' '}
                <span className="hinweis">Formulardaten und alle Dokumente in einen Ordner, z. B. für die Behörde, an die weitergeleitet wurde.</span>
              </p>
            )}
            {abgabe && (
              <p>
                <button
                  type="button"
                  className="knopf"
                  data-testid="eakte-abgabe-oeffnen"
                  disabled={abgabeAktion ? !abgabeAktion.moeglich : false}
                  aria-describedby={`${basis}-eakte-hinweis`}
                  onClick={() => setEakteDialog(true)}
                >
                  {abgabe === 'erneut' ? 'Erneut an E-Akte abgeben …' : 'An E-Akte abgeben …'}
                </button>{' '}
                <span id={`${basis}-eakte-hinweis`} className="hinweis">
                  {abgabeAktion && !abgabeAktion.moeglich && abgabeAktion.hinweis
                    ? abgabeAktion.hinweis
                    : 'Zeigt zuerst, welche Dokumente an die E-Akte gehen; abgegeben wird erst nach Ihrer Bestätigung.'}
                </span>
              </p>
            )}
            {detail.eakte && <EAkteBlock eakte={detail.eakte} />}
            <p className="meldung" role="status" data-testid="meldung">
              {meldung && meldung.status === detail.status ? meldung.text : ''}
            </p>
          </section>

          <div className="tabs" role="tablist" aria-label="Bereiche des Vorgangs">
            {TABS.map((t, i) => {
              const zahl =
                t.id === 'anlagen'
                  ? detail.anlagen.length
                  : t.id === 'nachrichten'
                    ? detail.nachrichten.length
                    : t.id === 'notizen'
                      ? detail.notizen.length
                      : t.id === 'verlauf'
                        ? detail.verlauf.length
                        : null;
              return (
                <button
                  key={t.id}
                  id={`${basis}-tab-${t.id}`}
                  type="button"
                  role="tab"
                  data-testid={`tab-${t.id}`}
                  aria-selected={tab === t.id}
                  aria-controls={`${basis}-panel-${t.id}`}
                  tabIndex={tab === t.id ? 0 : -1}
                  onClick={() => setTab(t.id)}
                  onKeyDown={(e) => tabTaste(e, i)}
                  className="tab"
                >
                  {t.label}
                  {zahl !== null && ` (${zahl})`}
                </button>
              );
            })}
          </div>
          {TABS.map((t) => (
            <div
              key={t.id}
              id={`${basis}-panel-${t.id}`}
              role="tabpanel"
              aria-labelledby={`${basis}-tab-${t.id}`}
              hidden={tab !== t.id}
              tabIndex={0}
              className="tabpanel"
            >
              {tab === t.id && t.id === 'antrag' && <AntragTab detail={detail} />}
              {tab === t.id && t.id === 'anlagen' && <Anlagen vorgangId={detail.id} anlagen={detail.anlagen} />}
              {tab === t.id && t.id === 'nachrichten' && <Nachrichten detail={detail} onNeu={setDetail} onSchreiben={setKomponist} />}
              {tab === t.id && t.id === 'entscheidung' && <Entscheidung detail={detail} onNeu={setDetail} />}
              {tab === t.id && t.id === 'notizen' && <Notizen detail={detail} onNeu={setDetail} />}
              {tab === t.id && t.id === 'verlauf' && <Verlauf detail={detail} />}
            </div>
          ))}
          {dialog && (
            <AktionDialog
              aktion={dialog}
              aktenzeichen={detail.aktenzeichen}
              onAbbrechen={() => setDialog(null)}
              onBestaetigen={async (eingabe) => {
                await ausfuehren(dialog, eingabe);
                setDialog(null);
              }}
            />
          )}
          {eakteDialog && (
            <EAkteAbgabeDialog
              detail={detail}
              onAbbrechen={() => setEakteDialog(false)}
              onAbgegeben={(d) => {
                setDetail(d);
                setFehler(null);
                setEakteDialog(false);
                setMeldung(d, `An die E-Akte abgegeben. Die Bestätigung der E-Akte erscheint hier, sobald sie eintrifft. Status: ${d.status_text}.`);
              }}
              onFokusErsatz={() => kopfRef.current?.focus()}
            />
          )}
          {komponist && (
            <NachrichtDialog
              key={komponist}
              detail={detail}
              art={komponist}
              onAbbrechen={() => setKomponist(null)}
              onGesendet={(d, v, weg) => gesendet(komponist, d, v, weg)}
              onFokusErsatz={() => kopfRef.current?.focus()}
            />
          )}
        </>
      )}
    </div>
  );
}

function AntragTab({ detail }: { detail: VorgangDetail }) {
  const a = detail.antragsteller;
  if (detail.eakte?.zustand === 'geloescht') {
    return (
      <p className="empty" data-testid="antrag-geloescht">
        Antragsteller und Formulardaten wurden mit der lokalen Kopie gelöscht. Sie liegen in der E-Akte
        {detail.eakte.referenz ? ` (Referenz ${detail.eakte.referenz})` : ''}.
      </p>
    );
  }
  return (
    <>
      <h3>Antragsteller</h3>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{a.name}</dd>
        {a.anschrift && (
          <>
            <dt>Anschrift</dt>
            <dd>{a.anschrift}</dd>
          </>
        )}
        {a.kontakt && (
          <>
            <dt>Kontakt</dt>
            <dd>{a.kontakt}</dd>
          </>
        )}
      </dl>
      <h3>Formulardaten</h3>
      <p className="schema-uri">
        Schema: <code>{detail.formular.schema_uri}</code> ({detail.formular.format.toUpperCase()})
      </p>
      {detail.formular.inhalt.trim() ? (
        <Formular daten={detail.formular} ebene={4} />
      ) : (
        <p className="empty" data-testid="formular-leer">
          Dieser Antrag enthält keine Formulardaten.
        </p>
      )}
    </>
  );
}

function Notizen({ detail, onNeu }: { detail: VorgangDetail; onNeu: (d: VorgangDetail) => void }) {
  const [text, setText] = useState('');
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const fid = useId();
  const hinzufuegen = () => {
    const t = text.trim();
    if (!t) {
      setFehler({ code: 'invalid_input', message: 'Bitte geben Sie einen Text für die Notiz ein.' });
      return;
    }
    notizHinzufuegen(detail.id, t).then(
      (d) => {
        onNeu(d);
        setText('');
        setFehler(null);
      },
      (e: IpcError) => setFehler(e),
    );
  };
  return (
    <>
      <h3>Interne Notizen</h3>
      {detail.notizen.length === 0 ? (
        <p className="empty">Noch keine Notizen.</p>
      ) : (
        <ul className="notizen" data-testid="notizen">
          {detail.notizen.map((n, i) => (
            <li key={i} className="notiz" data-testid="notiz">
              <p className="notiz-kopf">
                {n.autor} · {zeitpunkt(n.zeit)}
              </p>
              <p className="notiz-text">{n.text}</p>
            </li>
          ))}
        </ul>
      )}
      <div className="notiz-neu">
        <label htmlFor={fid}>Neue Notiz</label>
        <textarea id={fid} data-testid="notiz-text" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
        {fehler && <Fehler fehler={fehler} />}
        <button type="button" className="knopf" data-testid="notiz-hinzufuegen" onClick={hinzufuegen}>
          Notiz hinzufügen
        </button>
      </div>
    </>
  );
}

function Verlauf({ detail }: { detail: VorgangDetail }) {
  const eintraege = [...detail.verlauf].reverse();
  return (
    <>
      <h3>Verlauf (neueste zuerst)</h3>
      {eintraege.length === 0 ? (
        <p className="empty">Noch keine Einträge.</p>
      ) : (
        <ol className="verlauf" data-testid="verlauf">
          {eintraege.map((v, i) => (
            <li key={i} data-testid="verlauf-eintrag">
              <span className="verlauf-zeit">{zeitpunkt(v.zeit)}</span> <span className="verlauf-wer">{v.wer}</span>
              <span className="verlauf-was">{v.was}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
