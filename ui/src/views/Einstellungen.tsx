import { useState } from 'react';
import { diagnoseberichtSpeichern, type AppInfo, type IpcError } from '../ipc';
import { Fehler } from './Fehler';

type Props = {
  state: { kind: 'loading' } | { kind: 'ok'; info: AppInfo } | { kind: 'error'; error: IpcError };
};

/** What a pinned setting says beside its value. */
export const FESTGELEGT = 'von der Administration festgelegt';

/**
 * Settings page: what the app reports about itself, and what the administrator's policy
 * (`policy.toml`) pins, read-only with „von der Administration festgelegt“. Nothing here can be
 * changed; a setting offered for change later must be disabled when its field is pinned. The
 * one action here is „Diagnosebericht speichern …“ for the IT.
 */
export function Einstellungen({ state }: Props) {
  if (state.kind === 'loading') return <p>Angaben werden geladen …</p>;
  if (state.kind === 'error') return <p>Die Angaben konnten nicht geladen werden: {state.error.message}</p>;
  const { info } = state;
  const { richtlinie } = info;
  const dienstFest = richtlinie.festlegungen.some((f) => f.feld === 'zustelldienst.base_url');
  return (
    <>
      <section aria-labelledby="app-info-heading">
        <h2 id="app-info-heading">Über diese Installation</h2>
        <dl className="facts" data-testid="app-info">
          <dt>Version</dt>
          <dd data-testid="app-version">{info.version}</dd>
          <dt>Profilverzeichnis</dt>
          <dd data-testid="profile-dir">{info.profile_dir}</dd>
          <dt>Verbindung</dt>
          <dd data-testid="connection">
            {info.connection.kind === 'demo'
              ? `Demo-Modus (eingebauter Simulator${info.connection.simulator_url ? ` unter ${info.connection.simulator_url}` : ''})`
              : `Zustelldienst ${info.connection.base_url}`}
            {dienstFest && info.connection.kind === 'live' ? ` (${FESTGELEGT})` : null}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="richtlinie-heading" data-testid="richtlinie">
        <h2 id="richtlinie-heading">Richtlinie der Administration</h2>
        {richtlinie.festlegungen.length === 0 ? (
          <p data-testid="richtlinie-leer">
            {richtlinie.vorhanden
              ? `Die Richtlinie ${richtlinie.datei} legt nichts fest.`
              : `Keine Richtlinie (${richtlinie.datei}): die Administration legt nichts fest.`}
          </p>
        ) : (
          <>
            <p>
              Diese Einstellungen sind {FESTGELEGT} ({richtlinie.datei}) und lassen sich hier nicht ändern.
            </p>
            <dl className="facts" data-testid="festlegungen">
              {richtlinie.festlegungen.map((f) => (
                <div key={f.feld} className="festlegung" data-feld={f.feld}>
                  <dt>{f.bezeichnung}</dt>
                  <dd data-testid={`festgelegt-${f.feld}`}>
                    <span className="festgelegt-wert">{f.wert}</span>{' '}
                    <span className="festgelegt">({FESTGELEGT})</span>
                  </dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </section>
      <Diagnose />
    </>
  );
}

/** „Diagnosebericht speichern …“: the report for the IT (ZIP, nothing personal). */
function Diagnose() {
  const [laeuft, setLaeuft] = useState(false);
  const [meldung, setMeldung] = useState('');
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const speichern = () => {
    setLaeuft(true);
    setFehler(null);
    setMeldung('Diagnosebericht wird geschrieben …');
    diagnoseberichtSpeichern().then(
      (pfad) => {
        setLaeuft(false);
        setMeldung(pfad ? `Diagnosebericht gespeichert unter ${pfad}` : 'Speichern abgebrochen.');
      },
      (e: IpcError) => {
        setLaeuft(false);
        setMeldung('');
        setFehler(e);
      },
    );
  };
  return (
    <section aria-labelledby="diagnose-heading" data-testid="diagnose">
      <h2 id="diagnose-heading">Diagnose</h2>
      <p>
        Der Diagnosebericht hilft der IT bei Störungen: Version, Konfiguration ohne Geheimnisse, Zustand des
        Prüfprotokolls, Anzahlen und die letzten Protokollzeilen. Er enthält keine Vorgänge, Namen oder Dokumente.
      </p>
      <button type="button" className="knopf" data-testid="diagnose-speichern" onClick={speichern} disabled={laeuft}>
        Diagnosebericht speichern …
      </button>
      <p className="meldung" role="status" data-testid="diagnose-meldung">
        {meldung}
      </p>
      {fehler && <Fehler fehler={fehler} />}
    </section>
  );
}
