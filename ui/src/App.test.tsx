import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppInfo } from './ipc';

const ipc = vi.hoisted(() => ({ appInfo: vi.fn<() => Promise<AppInfo>>() }));
vi.mock('./ipc', () => ipc);

import { App } from './App';

const demoInfo: AppInfo = {
  product: 'Amtsstube',
  version: '0.1.0',
  profile_dir: '/home/sb/.local/share/amtsstube',
  connection: { kind: 'demo', simulator_url: null },
};

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('App frame', () => {
  it('shows the Demo-Modus banner when no integration service is configured', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    render(<App />);
    expect(await screen.findByTestId('demo-banner')).toHaveProperty('textContent', expect.stringContaining('Demonstration'));
    expect(screen.getByTestId('sync-status').textContent).toContain('Demo-Modus');
  });

  it('shows no demo banner when connected to a real service', async () => {
    ipc.appInfo.mockResolvedValue({ ...demoInfo, connection: { kind: 'live', base_url: 'https://zustelldienst.example/' } });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId('sync-status').textContent).toContain('Verbunden'));
    expect(screen.queryByTestId('demo-banner')).toBeNull();
  });

  it('shows version and profile path from the backend on the settings page', async () => {
    ipc.appInfo.mockResolvedValue(demoInfo);
    window.location.hash = '#/einstellungen';
    render(<App />);
    expect((await screen.findByTestId('profile-dir')).textContent).toBe('/home/sb/.local/share/amtsstube');
    expect(screen.getByTestId('app-version').textContent).toBe('0.1.0');
  });

  it('tells the caseworker in German what to do when the backend fails', async () => {
    ipc.appInfo.mockRejectedValue({ code: 'profile_unavailable', message: 'Das Profilverzeichnis ist nicht nutzbar.' });
    render(<App />);
    expect((await screen.findByTestId('error-banner')).textContent).toContain('Profilverzeichnis');
  });
});
