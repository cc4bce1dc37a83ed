// How a command is called: the one `invoke`, its errors as `IpcError`, and the answers asked
// for before the UI exists. The typed wrappers (befehle.ts) are generated on top of it.
import { invoke } from '@tauri-apps/api/core';
import type { ErrorCode, IpcError } from './bindings';
import type { Befehlsname, VorabAnfrage } from './befehle';
import { ERROR_CODES } from './fehlercodes';

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

/** Calls a command; rejects with an `IpcError`. */
export async function call<T>(command: Befehlsname, args?: Record<string, unknown>): Promise<T> {
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

function vorabSchluessel(command: Befehlsname, args?: Record<string, unknown>): string {
  return `${command} ${JSON.stringify(args ?? null)}`;
}

/**
 * Starts the read-only commands of the first screen at once, while the page still loads
 * KoliBri and renders: the first call of the same command with the same arguments takes the
 * answer (once, within a few seconds); every later call asks again.
 */
export function vorabLaden(anfragen: VorabAnfrage[]): void {
  for (const [command, anfrage] of anfragen) {
    const args = anfrage ? { anfrage } : undefined;
    const antwort = call<unknown>(command, args);
    // Nobody may take it: an unhandled rejection must not reach the console as an error.
    antwort.catch(() => undefined);
    vorab.set(vorabSchluessel(command, args), { seit: Date.now(), antwort });
  }
}

/** Calls a command, or takes its answer if `vorabLaden` asked for it moments ago. */
export function callVorab<T>(command: Befehlsname, args?: Record<string, unknown>): Promise<T> {
  const k = vorabSchluessel(command, args);
  const v = vorab.get(k);
  if (v) {
    vorab.delete(k);
    if (Date.now() - v.seit <= VORAB_HOECHSTENS_MS) return v.antwort as Promise<T>;
  }
  return call<T>(command, args);
}
