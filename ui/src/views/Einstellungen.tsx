import type { AppInfo, IpcError } from '../ipc';

type Props = {
  state: { kind: 'loading' } | { kind: 'ok'; info: AppInfo } | { kind: 'error'; error: IpcError };
};

/** Settings page; for now it shows what the app reports about itself (a real command round trip). */
export function Einstellungen({ state }: Props) {
  if (state.kind === 'loading') return <p>Angaben werden geladen …</p>;
  if (state.kind === 'error') return <p>Die Angaben konnten nicht geladen werden: {state.error.message}</p>;
  const { info } = state;
  return (
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
        </dd>
      </dl>
    </section>
  );
}
