import { afterEach, describe, expect, it, vi } from 'vitest';

const tauri = vi.hoisted(() => ({ invoke: vi.fn(), listen: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke: tauri.invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen: tauri.listen }));

import * as ipc from './index';

afterEach(() => vi.clearAllMocks());

describe('typed command wrappers', () => {
  it('call every command of the contract by its Tauri name with camelCase arguments', async () => {
    tauri.invoke.mockResolvedValue(null);
    const anfrage = { ansicht: 'alle', suche: null, sortierung: 'eingang', absteigend: true, offset: 0, limit: 100 } as const;
    await ipc.sitzung();
    await ipc.posteingang(anfrage);
    await ipc.ansichtZahlen();
    await ipc.mirZuweisen(['a', 'b']);
    await ipc.vorgang('v1');
    await ipc.vorgangErneut('v1');
    await ipc.vorgangAktion({ id: 'v1', aktion: 'uebernehmen', begruendung: null, empfaenger: null, datum: null });
    await ipc.notizHinzufuegen('v1', 'Text');
    await ipc.anlageSpeichern('v1', 'ab12');
    await ipc.gespeicherteFilter();
    await ipc.filterSpeichern({ name: 'F', anfrage });
    await ipc.filterLoeschen('F');
    await ipc.syncStatus();
    await ipc.jetztAbrufen();
    expect(tauri.invoke.mock.calls).toEqual([
      ['sitzung', undefined],
      ['posteingang', { anfrage }],
      ['ansicht_zahlen', undefined],
      ['mir_zuweisen', { ids: ['a', 'b'] }],
      ['vorgang', { id: 'v1' }],
      ['vorgang', { id: 'v1', erneut: true }],
      ['vorgang_aktion', { anfrage: { id: 'v1', aktion: 'uebernehmen', begruendung: null, empfaenger: null, datum: null } }],
      ['notiz_hinzufuegen', { id: 'v1', text: 'Text' }],
      ['anlage_speichern', { vorgangId: 'v1', sha512: 'ab12' }],
      ['gespeicherte_filter', undefined],
      ['filter_speichern', { filter: { name: 'F', anfrage } }],
      ['filter_loeschen', { name: 'F' }],
      ['sync_status', undefined],
      ['jetzt_abrufen', undefined],
    ]);
  });

  it('reject with an IpcError the UI can show', async () => {
    tauri.invoke.mockRejectedValue({ code: 'invalid_input', message: 'Nur in Prüfung möglich.' });
    await expect(ipc.vorgang('v1')).rejects.toEqual({ code: 'invalid_input', message: 'Nur in Prüfung möglich.' });
  });
});

describe('event subscriptions', () => {
  it('deliver the payload of sync-status and the vorgaenge-geaendert signal', async () => {
    const handlers: Record<string, (e: { payload: unknown }) => void> = {};
    const unlisten = vi.fn();
    tauri.listen.mockImplementation((name: string, h: (e: { payload: unknown }) => void) => {
      handlers[name] = h;
      return Promise.resolve(unlisten);
    });
    const status = vi.fn();
    const geaendert = vi.fn();
    const aus1 = ipc.aufSyncStatus(status);
    const aus2 = ipc.aufVorgaengeGeaendert(geaendert);
    handlers['sync-status']!({ payload: { laeuft: true } });
    handlers['vorgaenge-geaendert']!({ payload: {} });
    expect(status).toHaveBeenCalledWith({ laeuft: true });
    expect(geaendert).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    aus1();
    aus2();
    expect(unlisten).toHaveBeenCalledTimes(2);
    handlers['sync-status']!({ payload: { laeuft: false } });
    expect(status).toHaveBeenCalledTimes(1);
  });

  it('unsubscribe also when cleaned up before the subscription was established', async () => {
    const unlisten = vi.fn();
    let fertig: (u: () => void) => void = () => undefined;
    tauri.listen.mockImplementation(() => new Promise((r) => (fertig = r)));
    const aus = ipc.aufVorgaengeGeaendert(() => undefined);
    aus();
    fertig(unlisten);
    await new Promise((r) => setTimeout(r, 0));
    expect(unlisten).toHaveBeenCalledTimes(1);
  });
});

describe('answers asked for at start', () => {
  const anfrage = { ansicht: 'alle', suche: null, sortierung: 'eingang', absteigend: true, offset: 0, limit: 100 } as const;

  it('go to the first call with the same command and arguments, once', async () => {
    tauri.invoke.mockResolvedValueOnce({ gesamt: 7, zeilen: [] }).mockResolvedValue({ gesamt: 8, zeilen: [] });
    ipc.vorabLaden([['posteingang', anfrage]]);
    expect(tauri.invoke).toHaveBeenCalledTimes(1);
    await expect(ipc.posteingang(anfrage)).resolves.toEqual({ gesamt: 7, zeilen: [] });
    expect(tauri.invoke).toHaveBeenCalledTimes(1);
    // The next call asks again.
    await expect(ipc.posteingang(anfrage)).resolves.toEqual({ gesamt: 8, zeilen: [] });
    expect(tauri.invoke).toHaveBeenCalledTimes(2);
  });

  it('are not used for other arguments, and a failed one reaches its caller as an IpcError', async () => {
    tauri.invoke.mockRejectedValueOnce({ code: 'offline', message: 'weg' }).mockResolvedValue({ gesamt: 0, zeilen: [] });
    ipc.vorabLaden([['posteingang', anfrage]]);
    await ipc.posteingang({ ...anfrage, offset: 100 });
    expect(tauri.invoke).toHaveBeenLastCalledWith('posteingang', { anfrage: { ...anfrage, offset: 100 } });
    await expect(ipc.posteingang(anfrage)).rejects.toEqual({ code: 'offline', message: 'weg' });
  });

  it('are asked again when they are older than a few seconds', async () => {
    vi.useFakeTimers();
    try {
      tauri.invoke.mockResolvedValueOnce('alt').mockResolvedValue('neu');
      ipc.vorabLaden([['app_info']]);
      vi.advanceTimersByTime(6000);
      await expect(ipc.appInfo()).resolves.toBe('neu');
      expect(tauri.invoke).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
