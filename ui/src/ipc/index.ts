// The only module that talks to Tauri. Everything else imports typed functions from here.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AktionAnfrage,
  AnsichtZahlen,
  AppInfo,
  ErrorCode,
  GespeicherterFilter,
  IpcError,
  QueueAnfrage,
  QueueAntwort,
  Sitzung,
  SyncStatus,
  VorgangDetail,
} from './bindings';

export type {
  AktionAnfrage,
  AktionInfo,
  AnlageInfo,
  Ansicht,
  AnsichtZahlen,
  Antragsteller,
  AppInfo,
  ConnectionMode,
  ErrorCode,
  Faelligkeit,
  Formular,
  GespeicherterFilter,
  IpcError,
  NotizInfo,
  QueueAnfrage,
  QueueAntwort,
  QueueZeile,
  Rolle,
  Sitzung,
  SortSpalte,
  SyncStatus,
  VerlaufEintrag,
  VorgangDetail,
} from './bindings';

const ERROR_CODES: readonly ErrorCode[] = [
  'profile_unavailable',
  'key_unavailable',
  'not_found',
  'invalid_input',
  'offline',
  'internal',
];

/** Turns whatever a command rejected with into an `IpcError` the UI can switch on. */
export function toIpcError(raw: unknown): IpcError {
  if (typeof raw === 'object' && raw !== null) {
    const { code, message } = raw as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) && typeof message === 'string') {
      return { code: code as ErrorCode, message };
    }
  }
  const detail = typeof raw === 'string' ? raw : raw instanceof Error ? raw.message : '';
  return {
    code: 'internal',
    message: `Unerwarteter Fehler in der Verbindung zur Anwendung${detail ? `: ${detail}` : ''}. Bitte starten Sie Amtsstube neu.`,
  };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toIpcError(raw);
  }
}

// Answers asked for before the UI exists (see `vorabLaden`), by command and arguments.
const vorab = new Map<string, { seit: number; antwort: Promise<unknown> }>();
/** A prefetched answer older than this is not used (asked again instead). */
const VORAB_HOECHSTENS_MS = 5000;

function vorabSchluessel(command: string, args?: Record<string, unknown>): string {
  return `${command} ${JSON.stringify(args ?? null)}`;
}

/**
 * Starts the read-only commands of the first screen at once, while the page still loads
 * KoliBri and renders: the first call of the same command with the same arguments takes the
 * answer (once, within a few seconds); every later call asks again.
 */
export function vorabLaden(anfragen: Array<[command: 'app_info' | 'sitzung' | 'ansicht_zahlen' | 'sync_status'] | ['posteingang', QueueAnfrage]>): void {
  for (const [command, anfrage] of anfragen) {
    const args = anfrage ? { anfrage } : undefined;
    const antwort = call<unknown>(command, args);
    // Nobody may take it: an unhandled rejection must not reach the console as an error.
    antwort.catch(() => undefined);
    vorab.set(vorabSchluessel(command, args), { seit: Date.now(), antwort });
  }
}

function callVorab<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const k = vorabSchluessel(command, args);
  const v = vorab.get(k);
  if (v) {
    vorab.delete(k);
    if (Date.now() - v.seit <= VORAB_HOECHSTENS_MS) return v.antwort as Promise<T>;
  }
  return call<T>(command, args);
}

/** Version, profile path and connection mode of the running app. */
export function appInfo(): Promise<AppInfo> {
  return callVorab<AppInfo>('app_info');
}

/** Who works in this session, their role, and today's date. */
export function sitzung(): Promise<Sitzung> {
  return callVorab<Sitzung>('sitzung');
}

/** One page of one view of the queue. */
export function posteingang(anfrage: QueueAnfrage): Promise<QueueAntwort> {
  return callVorab<QueueAntwort>('posteingang', { anfrage });
}

/** How many cases each view holds. */
export function ansichtZahlen(): Promise<AnsichtZahlen> {
  return callVorab<AnsichtZahlen>('ansicht_zahlen');
}

/** Assigns the cases to the session's user; answers how many were assigned. */
export function mirZuweisen(ids: string[]): Promise<number> {
  return call<number>('mir_zuweisen', { ids });
}

/** Everything the case view shows (opening is audited). */
export function vorgang(id: string): Promise<VorgangDetail> {
  return call<VorgangDetail>('vorgang', { id });
}

/** The case the view shows, read again after a change (not audited as a new opening). */
export function vorgangErneut(id: string): Promise<VorgangDetail> {
  return call<VorgangDetail>('vorgang', { id, erneut: true });
}

/** Runs an action on a case; answers the case as it is afterwards. */
export function vorgangAktion(anfrage: AktionAnfrage): Promise<VorgangDetail> {
  return call<VorgangDetail>('vorgang_aktion', { anfrage });
}

/** Adds an internal note to a case. */
export function notizHinzufuegen(id: string, text: string): Promise<VorgangDetail> {
  return call<VorgangDetail>('notiz_hinzufuegen', { id, text });
}

/** Asks where to save an attachment (native dialog) and writes it there; null if cancelled. */
export function anlageSpeichern(vorgangId: string, sha512: string): Promise<string | null> {
  return call<string | null>('anlage_speichern', { vorgangId, sha512 });
}

/** The saved queue filters. */
export function gespeicherteFilter(): Promise<GespeicherterFilter[]> {
  return call<GespeicherterFilter[]>('gespeicherte_filter');
}

/** Saves (or replaces by name) a queue filter; answers all filters. */
export function filterSpeichern(filter: GespeicherterFilter): Promise<GespeicherterFilter[]> {
  return call<GespeicherterFilter[]>('filter_speichern', { filter });
}

/** Deletes a saved filter; answers the remaining ones. */
export function filterLoeschen(name: string): Promise<GespeicherterFilter[]> {
  return call<GespeicherterFilter[]>('filter_loeschen', { name });
}

/** State of the background sync. */
export function syncStatus(): Promise<SyncStatus> {
  return callVorab<SyncStatus>('sync_status');
}

/** Starts a sync pass now (unless one runs). */
export function jetztAbrufen(): Promise<SyncStatus> {
  return call<SyncStatus>('jetzt_abrufen');
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

/** Cases were stored or changed: reload counts and visible rows. */
export function aufVorgaengeGeaendert(handler: () => void): () => void {
  return abonnieren<unknown>('vorgaenge-geaendert', () => handler());
}
