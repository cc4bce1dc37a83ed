// PDF preview with pdf.js: pages rendered to <canvas>. The worker is bundled by Vite and
// loaded from the app's own origin; eval is switched off (strict CSP). Loaded lazily.
// The bytes come from the `anlage:` protocol in byte ranges: the first TEIL bytes, and pdf.js
// asks for the rest piece by piece as its pages need it, so neither the shell nor the page
// holds a large attachment whole.

import { useEffect, useRef, useState } from 'react';
import { getDocument, GlobalWorkerOptions, PDFDataRangeTransport, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

const MAX_SEITEN = 30;
/** Bytes per range request (also pdf.js's chunk size). */
export const TEIL = 256 * 1024;

/** Bytes `von` to `bis` (exclusive) of the attachment; `gesamt` from `Content-Range`, or the
 * length of a whole answer when the server sent one (200). */
async function bereichLesen(url: string, von: number, bis: number): Promise<{ daten: Uint8Array; gesamt: number }> {
  const antwort = await fetch(url, { cache: 'no-store', headers: { Range: `bytes=${von}-${bis - 1}` } });
  if (antwort.status !== 206 && antwort.status !== 200) throw new Error(`HTTP ${antwort.status}`);
  const daten = new Uint8Array(await antwort.arrayBuffer());
  if (antwort.status === 200) return { daten, gesamt: daten.length };
  const gesamt = Number(antwort.headers.get('Content-Range')?.split('/')[1]);
  if (!Number.isSafeInteger(gesamt) || gesamt < daten.length) throw new Error('Content-Range fehlt oder ist ungültig');
  return { daten, gesamt };
}

/** Hands pdf.js the ranges it asks for. */
class AnlageBereiche extends PDFDataRangeTransport {
  constructor(
    private readonly url: string,
    gesamt: number,
    anfang: Uint8Array,
    private readonly scheitern: (e: unknown) => void,
  ) {
    super(gesamt, anfang);
  }

  override requestDataRange(begin: number, end: number): void {
    bereichLesen(this.url, begin, end).then(({ daten }) => this.onDataRange(begin, daten), this.scheitern);
  }
}

export default function PdfVorschau({ url, name }: { url: string; name: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<string>('PDF wird geladen …');
  const [fehler, setFehler] = useState<string | null>(null);

  useEffect(() => {
    let aus = false;
    let doc: PDFDocumentProxy | null = null;
    const ziel = ref.current;
    (async () => {
      const { daten, gesamt } = await bereichLesen(url, 0, TEIL);
      if (aus) return;
      const optionen = { isEvalSupported: false, useSystemFonts: true, enableXfa: false };
      if (daten.length >= gesamt) {
        doc = await getDocument({ ...optionen, data: daten }).promise;
      } else {
        let grund: unknown = null;
        const bereiche = new AnlageBereiche(url, gesamt, daten, (e) => {
          grund = e;
          void aufgabe.destroy();
        });
        const aufgabe = getDocument({ ...optionen, range: bereiche, rangeChunkSize: TEIL, disableAutoFetch: true, disableStream: true });
        doc = await aufgabe.promise.catch((e: unknown) => {
          throw grund ?? e;
        });
      }
      const anzahl = Math.min(doc.numPages, MAX_SEITEN);
      for (let n = 1; n <= anzahl && !aus; n += 1) {
        const seite = await doc.getPage(n);
        const breite = Math.max(300, (ziel?.clientWidth ?? 800) - 16);
        const basis = seite.getViewport({ scale: 1 });
        const skala = Math.min(2, breite / basis.width);
        const dpr = window.devicePixelRatio || 1;
        const vp = seite.getViewport({ scale: skala * dpr });
        const canvas = document.createElement('canvas');
        canvas.width = Math.floor(vp.width);
        canvas.height = Math.floor(vp.height);
        canvas.className = 'pdf-seite';
        canvas.dataset.testid = 'pdf-seite';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `${name}, Seite ${n} von ${doc.numPages}`);
        const ctx = canvas.getContext('2d');
        if (!ctx || aus) break;
        await seite.render({ canvasContext: ctx, viewport: vp, canvas }).promise;
        if (aus) break;
        ziel?.appendChild(canvas);
        setStatus(`Seite ${n} von ${doc.numPages} angezeigt.`);
      }
      if (!aus && doc.numPages > MAX_SEITEN) {
        setStatus(`Die ersten ${MAX_SEITEN} von ${doc.numPages} Seiten werden angezeigt. Für alle Seiten „Speichern unter…“ nutzen.`);
      } else if (!aus) {
        setStatus(doc.numPages === 1 ? '1 Seite.' : `${doc.numPages} Seiten.`);
      }
    })().catch((e: unknown) => {
      if (!aus) setFehler(`Die Vorschau konnte nicht erstellt werden (${e instanceof Error ? e.message : String(e)}). Sie können die Datei mit „Speichern unter…“ öffnen.`);
    });
    return () => {
      aus = true;
      void doc?.destroy();
      ziel?.replaceChildren();
    };
  }, [url, name]);

  return (
    <div className="pdf-vorschau">
      <p className="pdf-status" aria-live="polite">
        {fehler ? '' : status}
      </p>
      {fehler && (
        <p className="fehler-text" data-testid="fehler" role="alert">
          {fehler}
        </p>
      )}
      <div ref={ref} className="pdf-seiten" />
    </div>
  );
}
