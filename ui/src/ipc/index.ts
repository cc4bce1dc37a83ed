// The only module that talks to Tauri. Everything else imports typed functions from here.
import { invoke } from '@tauri-apps/api/core';
import type { AppInfo, ErrorCode, IpcError } from './bindings';

export type { AppInfo, ConnectionMode, ErrorCode, IpcError } from './bindings';

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

/** Version, profile path and connection mode of the running app. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}
