import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

const pdfjs = vi.hoisted(() => {
  class PDFDataRangeTransport {
    length: number;
    initialData: Uint8Array;
    bereiche: Array<[number, Uint8Array]> = [];
    constructor(length: number, initialData: Uint8Array) {
      this.length = length;
      this.initialData = initialData;
    }
    onDataRange(begin: number, chunk: Uint8Array) {
      this.bereiche.push([begin, chunk]);
    }
  }
  return { GlobalWorkerOptions: { workerSrc: '' }, getDocument: vi.fn(), PDFDataRangeTransport };
});
vi.mock('pdfjs-dist/legacy/build/pdf.mjs', () => pdfjs);

import PdfVorschau, { TEIL } from './PdfVorschau';

/** An `anlage:` protocol answering byte ranges of `datei` as the shell does (206). */
function protokoll(datei: Uint8Array) {
  return vi.fn((_url: string, init?: RequestInit) => {
    const range = new Headers(init?.headers).get('Range') ?? '';
    const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(range) ?? [];
    const von = Number(a);
    const bis = Math.min(Number(b) + 1, datei.length);
    return Promise.resolve(
      new Response(datei.slice(von, bis), { status: 206, headers: { 'Content-Range': `bytes ${von}-${bis - 1}/${datei.length}` } }),
    );
  });
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('PDF preview', () => {
  it('loads the attachment bytes, renders every page to a labelled canvas, with eval switched off', async () => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({} as never);
    const fetchMock = protokoll(new Uint8Array([37, 80, 68, 70]));
    vi.stubGlobal('fetch', fetchMock);
    const render_ = vi.fn(() => ({ promise: Promise.resolve() }));
    const seite = { getViewport: ({ scale }: { scale: number }) => ({ width: 595 * scale, height: 842 * scale }), render: render_ };
    pdfjs.getDocument.mockReturnValue({ promise: Promise.resolve({ numPages: 2, getPage: () => Promise.resolve(seite), destroy: () => Promise.resolve() }) });

    render(<PdfVorschau url="anlage://localhost/v1/abc" name="Lageplan.pdf" />);
    await waitFor(() => expect(screen.getAllByTestId('pdf-seite')).toHaveLength(2));
    expect(fetchMock).toHaveBeenCalledWith('anlage://localhost/v1/abc', { cache: 'no-store', headers: { Range: `bytes=0-${TEIL - 1}` } });
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

  it('hands pdf.js a large attachment in ranges: the first part at once, the rest as asked', async () => {
    pdfjs.getDocument.mockClear();
    const datei = new Uint8Array(TEIL * 3 + 5).map((_, i) => i % 251);
    const fetchMock = protokoll(datei);
    vi.stubGlobal('fetch', fetchMock);
    pdfjs.getDocument.mockReturnValue({ promise: Promise.resolve({ numPages: 0, getPage: vi.fn(), destroy: () => Promise.resolve() }), destroy: vi.fn() });

    render(<PdfVorschau url="anlage://localhost/v1/gross" name="Plan.pdf" />);
    await waitFor(() => expect(pdfjs.getDocument).toHaveBeenCalled());
    const opts = pdfjs.getDocument.mock.calls[0]![0] as {
      data?: Uint8Array;
      range: InstanceType<typeof pdfjs.PDFDataRangeTransport> & { requestDataRange(b: number, e: number): void };
      rangeChunkSize: number;
      disableAutoFetch: boolean;
    };
    expect(opts.data).toBeUndefined();
    expect(opts.range.length).toBe(datei.length);
    expect(Array.from(opts.range.initialData)).toEqual(Array.from(datei.slice(0, TEIL)));
    expect([opts.rangeChunkSize, opts.disableAutoFetch]).toEqual([TEIL, true]);
    // Nothing beyond the first part was read until pdf.js asks.
    expect(fetchMock).toHaveBeenCalledTimes(1);
    opts.range.requestDataRange(TEIL * 3, datei.length);
    await waitFor(() => expect(opts.range.bereiche).toHaveLength(1));
    const [begin, teil] = opts.range.bereiche[0]!;
    expect(begin).toBe(TEIL * 3);
    expect(Array.from(teil)).toEqual(Array.from(datei.slice(TEIL * 3)));
    expect(fetchMock).toHaveBeenLastCalledWith('anlage://localhost/v1/gross', { cache: 'no-store', headers: { Range: `bytes=${TEIL * 3}-${datei.length - 1}` } });
  });

  it('explains in German when the document cannot be shown', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response('weg', { status: 404 }))));
    render(<PdfVorschau url="anlage://localhost/v1/x" name="x.pdf" />);
    expect((await screen.findByTestId('fehler')).textContent).toContain('Speichern unter');
  });
});
