/**
 * One way to attach capture listeners (after rrweb's `on()`): capture phase so nothing the host page
 * does (stopPropagation) hides events from us, passive so we never delay scrolling, and a remover.
 */
export type Remover = () => void;

export function on<E extends Event>(target: EventTarget, type: string, handler: (e: E) => void): Remover {
  const opts: AddEventListenerOptions = { capture: true, passive: true };
  const h = handler as EventListener;
  target.addEventListener(type, h, opts);
  return () => target.removeEventListener(type, h, opts);
}

/**
 * Wrap a handler so it can never throw into the host page: capture is an observer, and a bug in it
 * must not break the page it watches. Errors are counted and the first one kept for diagnosis.
 */
export function guarded<E extends Event>(fn: (e: E) => void, onError: (e: unknown) => void): (e: E) => void {
  return (e: E) => {
    try {
      fn(e);
    } catch (err) {
      try { onError(err); } catch { /* nothing more we can do */ }
    }
  };
}

/** Wheel deltas to CSS px: DOM_DELTA_LINE is a line (~16 px), DOM_DELTA_PAGE a viewport height. */
export const LINE_HEIGHT_PX = 16;
export function wheelDeltaPx(delta: number, deltaMode: number, pagePx: number): number {
  return deltaMode === 1 ? delta * LINE_HEIGHT_PX : deltaMode === 2 ? delta * pagePx : delta;
}
