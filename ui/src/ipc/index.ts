// The only module the views import from: the typed command wrappers (generated into befehle.ts
// from the command table in crates/ipc), the shell's events, and the contract's types.
// Only ui/src/ipc talks to Tauri.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { SyncStatus, VorgangDetail } from './bindings';
import { vorgang } from './befehle';

export * from './befehle';
export { toIpcError, vorabLaden } from './aufruf';
export { ERROR_CODES } from './fehlercodes';

export type {
  AktionAnfrage,
  AktionInfo,
  Angabefeld,
  AnlageInfo,
  Ansicht,
  AnsichtZahlen,
  Antragsteller,
  AppInfo,
  BescheidEntwurf,
  BescheidInfo,
  BescheidVorschau,
  ConnectionMode,
  DiffZeile,
  EntscheidungAnsicht,
  Ergebnis,
  ErrorCode,
  Faelligkeit,
  Festlegung,
  Formular,
  GebuehrZeile,
  GespeicherterFilter,
  GewaehlteDatei,
  IpcError,
  Moeglich,
  NachforderungInfo,
  NachrichtAnfrage,
  NachrichtArt,
  NachrichtEntwurf,
  NachrichtInfo,
  NachrichtVorschau,
  NachweisAuswahl,
  NachweisStand,
  NotizInfo,
  QueueAnfrage,
  QueueAntwort,
  QueueZeile,
  RichtlinieInfo,
  RueckkanalInfo,
  Rolle,
  SiegelPruefung,
  Sitzung,
  SortSpalte,
  SyncStatus,
  VerlaufEintrag,
  VorgangDetail,
  VorlageWahl,
  Zustellung,
} from './bindings';

/** The case the view shows, read again after a change (not audited as a new opening). */
export function vorgangErneut(id: string): Promise<VorgangDetail> {
  return vorgang(id, true);
}

/**
 * Subscribes to an event of the shell. Returns a function that unsubscribes; it may be called
 * before the subscription is established (React effects clean up early in StrictMode).
 */
function abonnieren<T>(name: string, handler: (payload: T) => void): () => void {
  let weg = false;
  let unlisten: UnlistenFn | undefined;
  listen<T>(name, (e) => {
    if (!weg) handler(e.payload);
  }).then(
    (u) => {
      if (weg) u();
      else unlisten = u;
    },
    (e: unknown) => console.error(`Ereignis ${name} kann nicht abonniert werden`, e),
  );
  return () => {
    weg = true;
    unlisten?.();
  };
}

/** Every progress step and the end of a sync pass. */
export function aufSyncStatus(handler: (s: SyncStatus) => void): () => void {
  return abonnieren<SyncStatus>('sync-status', handler);
}

/** A newer version the updater found (policy `[aktualisierung]`); nothing is installed silently. */
export type AktualisierungVerfuegbar = { version: string; aktuelleVersion: string; kanal: string };

/** The updater found a newer version (`aktualisierung-verfuegbar`, src-tauri/src/aktualisierung.rs). */
export function aufAktualisierungVerfuegbar(handler: (a: AktualisierungVerfuegbar) => void): () => void {
  return abonnieren<AktualisierungVerfuegbar>('aktualisierung-verfuegbar', handler);
}

/** Cases were stored or changed: reload counts and visible rows. */
export function aufVorgaengeGeaendert(handler: () => void): () => void {
  return abonnieren<unknown>('vorgaenge-geaendert', () => handler());
}
