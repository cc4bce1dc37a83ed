import { type RefObject, useEffect, useRef } from 'react';

/**
 * Shows the `<dialog>` behind `ref` modally while the component is mounted (or as an open
 * element where the WebView has no `showModal`), focuses what `erster` picks in it, and on
 * unmount closes it and gives the focus back to the element that had it when it opened; when
 * that element is gone (the action changed the page), `ersatz` places the focus instead.
 */
export function useModalerDialog(
  ref: RefObject<HTMLDialogElement | null>,
  erster: (d: HTMLDialogElement) => HTMLElement | null | undefined,
  ersatz?: () => void,
): void {
  const ersatzRef = useRef(ersatz);
  const ersterRef = useRef(erster);
  useEffect(() => {
    ersatzRef.current = ersatz;
    ersterRef.current = erster;
  });
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (typeof d.showModal === 'function') {
      if (!d.open) d.showModal();
    } else {
      d.setAttribute('open', '');
    }
    ersterRef.current(d)?.focus();
    return () => {
      if (typeof d.close === 'function' && d.open) d.close();
      if (opener && opener.isConnected) opener.focus();
      if (!opener || document.activeElement !== opener) ersatzRef.current?.();
    };
    // Once per mount: the dialog opens with the component and closes with it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
