// Status area in the header: connection, last sync, progress while syncing, offline state,
// outbox count, „Jetzt abrufen“. Fed by `sync_status` and the `sync-status` event.

import type { AppInfo, IpcError, SyncStatus } from '../ipc';
import { zeitpunkt } from '../lib/format';

type InfoState = { kind: 'loading' } | { kind: 'ok'; info: AppInfo } | { kind: 'error'; error: IpcError };

function verbindung(state: InfoState): string {
  if (state.kind === 'loading') return 'Verbindung wird geprüft …';
  if (state.kind === 'error') return 'Profil nicht geöffnet';
  const c = state.info.connection;
  if (c.kind === 'demo') return c.simulator_url ? 'Demo-Modus · Simulator bereit' : 'Demo-Modus · Simulator startet …';
  return `Verbunden mit ${c.base_url}`;
}

export function SyncBereich({ state, sync, onAbrufen }: { state: InfoState; sync: SyncStatus | null; onAbrufen: () => void }) {
  return (
    <div className="sync-status" data-testid="sync-status">
      <span role="status" aria-live="polite" className="sync-text">
        <span data-testid="verbindung">{verbindung(state)}</span>
        {sync && (
          <>
            {sync.offline ? (
              <span className="offline" data-testid="offline">
                {' · '}
                <span aria-hidden="true">⚠ </span>Offline
              </span>
            ) : null}
            <span data-testid="letzter-abruf">
              {' · '}
              {sync.letzter_abruf ? `Zuletzt abgerufen: ${zeitpunkt(sync.letzter_abruf)}` : 'Noch nicht abgerufen'}
            </span>
            <span data-testid="outbox">
              {' · '}Postausgang: {sync.outbox}
            </span>
            {!sync.laeuft && sync.neue_vorgaenge > 0 && (
              <span data-testid="neue-vorgaenge">
                {' · '}
                {sync.neue_vorgaenge === 1 ? '1 neuer Vorgang' : `${sync.neue_vorgaenge} neue Vorgänge`}
              </span>
            )}
            {sync.laeuft && (
              <span data-testid="abruf-laeuft">
                {' · '}Abruf läuft{sync.gesamt > 0 ? ` (${sync.fertig} von ${sync.gesamt})` : ' …'}
              </span>
            )}
            {sync.meldung && <span className="sync-meldung"> · {sync.meldung}</span>}
          </>
        )}
      </span>
      {sync?.laeuft && (
        <progress
          className="sync-fortschritt"
          aria-label="Fortschritt des Abrufs"
          max={sync.gesamt > 0 ? sync.gesamt : undefined}
          value={sync.gesamt > 0 ? sync.fertig : undefined}
        />
      )}
      <button
        type="button"
        className="knopf abrufen"
        data-testid="jetzt-abrufen"
        onClick={onAbrufen}
        disabled={state.kind !== 'ok' || Boolean(sync?.laeuft)}
        aria-keyshortcuts="r"
      >
        Jetzt abrufen
      </button>
    </div>
  );
}
