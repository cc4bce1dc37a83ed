// The tabs of the Posteingang's views: one tab stop for all (roving focus, arrows move), each
// with the name Rust gives it (e.g. „Fällig (5 Arbeitstage)“) and its count.

import type { Ansicht, AnsichtZahlen } from '../ipc';

/** The views in the order of their tabs and keys 1–8; their names come from Rust (`ansicht_zahlen`). */
export const ANSICHTEN: readonly Ansicht[] = [
  'neu',
  'meine',
  'faellig',
  'ueberfaellig',
  'wiedervorlage_heute',
  'alle',
  'zur_freigabe',
  'abgabe_offen',
];

interface Props {
  ansicht: Ansicht;
  zahlen: AnsichtZahlen | null;
  onWaehlen: (a: Ansicht) => void;
}

export function AnsichtTabs({ ansicht, zahlen, onWaehlen }: Props) {
  return (
    <div className="ansichten" role="tablist" aria-label="Ansichten des Posteingangs">
      {ANSICHTEN.map((a, i) => {
        const n = zahlen ? zahlen[a] : null;
        // The name as Rust gives it (e.g. „Fällig (5 Arbeitstage)“); „…“ until it arrived.
        const name = zahlen?.ansichten.find((x) => x.ansicht === a)?.bezeichnung ?? '…';
        const aktivA = ansicht === a;
        return (
          <button
            key={a}
            id={`ansicht-tab-${a}`}
            type="button"
            role="tab"
            className="ansicht-knopf"
            data-testid={`ansicht-${a}`}
            aria-selected={aktivA}
            aria-controls="posteingang-liste"
            tabIndex={aktivA ? 0 : -1}
            aria-keyshortcuts={String(i + 1)}
            onClick={() => onWaehlen(a)}
            onKeyDown={(e) => {
              // Roving focus: one tab stop for all views, arrows move between them.
              const ziel =
                e.key === 'ArrowRight' ? (i + 1) % ANSICHTEN.length
                : e.key === 'ArrowLeft' ? (i + ANSICHTEN.length - 1) % ANSICHTEN.length
                : e.key === 'Home' ? 0
                : e.key === 'End' ? ANSICHTEN.length - 1
                : -1;
              if (ziel < 0) return;
              e.preventDefault();
              e.stopPropagation();
              const b = ANSICHTEN[ziel]!;
              onWaehlen(b);
              document.getElementById(`ansicht-tab-${b}`)?.focus();
            }}
          >
            {name} <span className="zahl">({n ?? '…'})</span>
          </button>
        );
      })}
    </div>
  );
}
