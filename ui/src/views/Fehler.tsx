import { KolAlert } from '@public-ui/react';
import type { IpcError } from '../ipc';

/** Visible error state with the German message from the backend. */
export function Fehler({ fehler, titel = 'Fehler' }: { fehler: IpcError; titel?: string }) {
  return (
    <div className="fehler" data-testid="fehler" role="alert">
      <KolAlert _type="error" _variant="card" _label={titel} _level={0}>
        {fehler.message}
      </KolAlert>
    </div>
  );
}
