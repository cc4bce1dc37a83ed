// Confirmation dialog of an action that cannot be undone or needs input (Begründung,
// Empfänger, Datum). A native modal <dialog>: focus is trapped, Esc cancels.

import { useEffect, useId, useRef, useState } from 'react';
import type { AktionInfo, IpcError } from '../ipc';
import { isoDatum } from '../lib/format';
import { Fehler } from './Fehler';

export interface Eingabe {
  begruendung?: string;
  empfaenger?: string;
  datum?: string;
}

interface Props {
  aktion: AktionInfo;
  aktenzeichen: string;
  onAbbrechen: () => void;
  onBestaetigen: (e: Eingabe) => Promise<void>;
}

const FELD: Record<string, { label: string; hilfe: string }> = {
  begruendung: { label: 'Begründung', hilfe: 'Die Begründung wird im Verlauf festgehalten.' },
  empfaenger: { label: 'Empfänger', hilfe: 'Stelle oder Person, an die der Vorgang geht.' },
  datum: { label: 'Datum', hilfe: 'Datum im Format TT.MM.JJJJ.' },
};

export function AktionDialog({ aktion, aktenzeichen, onAbbrechen, onBestaetigen }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const feldRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [wert, setWert] = useState('');
  const [fehler, setFehler] = useState<IpcError | null>(null);
  const [laeuft, setLaeuft] = useState(false);
  const id = useId();
  const feld = aktion.eingabe ? FELD[aktion.eingabe] : undefined;

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (typeof d.showModal === 'function') {
      if (!d.open) d.showModal();
    } else {
      d.setAttribute('open', '');
    }
    (feldRef.current ?? d.querySelector<HTMLElement>('[data-testid=abbrechen]'))?.focus();
    return () => {
      if (typeof d.close === 'function' && d.open) d.close();
    };
  }, []);

  const bestaetigen = () => {
    if (aktion.eingabe && !wert.trim()) {
      setFehler({ code: 'invalid_input', message: `Bitte geben Sie ${feld ? `„${feld.label}“` : 'die Angabe'} an.` });
      feldRef.current?.focus();
      return;
    }
    const e: Eingabe = {};
    if (aktion.eingabe === 'begruendung') e.begruendung = wert.trim();
    if (aktion.eingabe === 'empfaenger') e.empfaenger = wert.trim();
    if (aktion.eingabe === 'datum') {
      const iso = isoDatum(wert);
      if (!iso) {
        setFehler({ code: 'invalid_input', message: 'Bitte geben Sie ein gültiges Datum im Format TT.MM.JJJJ an.' });
        feldRef.current?.focus();
        return;
      }
      e.datum = iso;
    }
    setLaeuft(true);
    onBestaetigen(e).catch((err: IpcError) => {
      setLaeuft(false);
      setFehler(err);
    });
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-titel`}
      aria-describedby={`${id}-text`}
      data-testid="aktion-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onAbbrechen();
      }}
    >
      <form
        method="dialog"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          bestaetigen();
        }}
      >
        <h2 id={`${id}-titel`}>{aktion.bezeichnung}</h2>
        <p id={`${id}-text`}>
          Vorgang {aktenzeichen}: „{aktion.bezeichnung}“ ausführen?
          {aktion.bestaetigen && ' Dieser Schritt kann nicht rückgängig gemacht werden.'}
        </p>
        {feld && (
          <div className="dialog-feld">
            <label htmlFor={`${id}-feld`}>{feld.label}</label>
            {aktion.eingabe === 'begruendung' ? (
              <textarea
                id={`${id}-feld`}
                ref={feldRef}
                data-testid="eingabe-begruendung"
                rows={4}
                aria-required="true"
                aria-describedby={`${id}-hilfe`}
                value={wert}
                onChange={(e) => setWert(e.target.value)}
              />
            ) : (
              <input
                id={`${id}-feld`}
                ref={feldRef}
                data-testid={`eingabe-${aktion.eingabe}`}
                type="text"
                inputMode={aktion.eingabe === 'datum' ? 'numeric' : undefined}
                placeholder={aktion.eingabe === 'datum' ? 'TT.MM.JJJJ' : undefined}
                autoComplete="off"
                aria-required="true"
                aria-describedby={`${id}-hilfe`}
                value={wert}
                onChange={(e) => setWert(e.target.value)}
              />
            )}
            <span id={`${id}-hilfe`} className="hilfe-text">
              {feld.hilfe}
            </span>
          </div>
        )}
        {fehler && <Fehler fehler={fehler} />}
        <div className="dialog-knoepfe">
          <button type="submit" className="knopf primaer" data-testid="bestaetigen" disabled={laeuft}>
            {aktion.bezeichnung}
          </button>
          <button type="button" className="knopf" data-testid="abbrechen" onClick={onAbbrechen}>
            Abbrechen
          </button>
        </div>
      </form>
    </dialog>
  );
}
