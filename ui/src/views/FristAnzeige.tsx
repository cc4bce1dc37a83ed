import type { Faelligkeit } from '../ipc';
import { datum } from '../lib/format';

/** Deadline with its state as text and icon (never colour alone). */
export function FristAnzeige({ frist, faelligkeit }: { frist: string | null; faelligkeit: Faelligkeit }) {
  if (!frist) return <span className="leer">keine Frist</span>;
  return (
    <span className={`frist ${faelligkeit}`} data-faelligkeit={faelligkeit}>
      {faelligkeit === 'ueberfaellig' && <span aria-hidden="true">⚠ </span>}
      {faelligkeit === 'faellig' && <span aria-hidden="true">◔ </span>}
      {datum(frist)}
      {faelligkeit === 'ueberfaellig' && <span className="marke"> (überfällig)</span>}
      {faelligkeit === 'faellig' && <span className="marke"> (fällig)</span>}
    </span>
  );
}
