import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

const pdfjs = vi.hoisted(() => ({
  GlobalWorkerOptions: { workerSrc: '' },
  getDocument: vi.fn(),
}));
vi.mock('pdfjs-dist/legacy/build/pdf.mjs', () => pdfjs);

import PdfVorschau from './PdfVorschau';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('PDF preview', () => {
  it('loads the attachment bytes, renders every page to a labelled canvas, with eval switched off', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({} as never);
    const fetchMock = vi.fn(() => Promise.resolve(new Response(new Uint8Array([37, 80, 68, 70]), { status: 200 })));
    vi.stubGlobal('fetch', fetchMock);
    const render_ = vi.fn(() => ({ promise: Promise.resolve() }));
    const seite = { getViewport: ({ scale }: { scale: number }) => ({ width: 595 * scale, height: 842 * scale }), render: render_ };
    pdfjs.getDocument.mockReturnValue({ promise: Promise.resolve({ numPages: 2, getPage: () => Promise.resolve(seite), destroy: () => Promise.resolve() }) });

    render(<PdfVorschau url="anlage://localhost/v1/abc" name="Lageplan.pdf" />);
    await waitFor(() => expect(screen.getAllByTestId('pdf-seite')).toHaveLength(2));
    expect(fetchMock).toHaveBeenCalledWith('anlage://localhost/v1/abc', { cache: 'no-store' });
    const opts = pdfjs.getDocument.mock.calls[0]![0] as { data: Uint8Array; isEvalSupported: boolean };
    expect(opts.isEvalSupported).toBe(false);
    expect(Array.from(opts.data)).toEqual([37, 80, 68, 70]);
    expect(pdfjs.GlobalWorkerOptions.workerSrc).toMatch(/pdf\.worker/);
    expect(screen.getAllByRole('img').map((c) => c.getAttribute('aria-label'))).toEqual([
      'Lageplan.pdf, Seite 1 von 2',
      'Lageplan.pdf, Seite 2 von 2',
    ]);
    expect(render_).toHaveBeenCalledTimes(2);
  });

  it('explains in German when the document cannot be shown', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response('weg', { status: 404 }))));
    render(<PdfVorschau url="anlage://localhost/v1/x" name="x.pdf" />);
    expect((await screen.findByTestId('fehler')).textContent).toContain('Speichern unter');
  });
});
