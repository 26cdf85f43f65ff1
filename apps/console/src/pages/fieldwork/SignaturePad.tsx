import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { Button } from 'antd';
import { ClearOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

export interface SignaturePadHandle {
  /** The drawing as a PNG data URL, or null when nothing was drawn. */
  toDataUrl(): string | null;
  clear(): void;
}

/**
 * A signature drawn with a finger, a stylus or a mouse (pointer events), on a canvas sized to its box
 * and the screen's pixel density; the page does not scroll while drawing on it.
 */
export const SignaturePad = forwardRef<SignaturePadHandle, { onChange?: (empty: boolean) => void; height?: number }>(function SignaturePad({ onChange, height = 180 }, ref) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [empty, setEmpty] = useState(true);
  // Kept in a ref: a new callback from the parent must not reset the drawing.
  const changed = useRef(onChange);
  changed.current = onChange;

  const setup = useCallback(() => {
    const c = canvas.current;
    if (!c) return;
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const w = c.clientWidth;
    c.width = Math.round(w * ratio);
    c.height = Math.round(height * ratio);
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.lineWidth = 2.4;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.strokeStyle = '#111827';
    setEmpty(true);
    changed.current?.(true);
  }, [height]);

  useEffect(() => {
    setup();
    // The pad keeps its drawing while the window size stays; a resize (phone rotation) starts it over.
    const onResize = () => setup();
    window.addEventListener('orientationchange', onResize);
    return () => window.removeEventListener('orientationchange', onResize);
  }, [setup]);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const down = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drawing.current = true;
    last.current = point(e);
    const g = e.currentTarget.getContext('2d');
    if (g && last.current) {
      g.beginPath();
      g.arc(last.current.x, last.current.y, 1.1, 0, Math.PI * 2);
      g.fillStyle = '#111827';
      g.fill();
    }
  };
  const move = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current || !last.current) return;
    e.preventDefault();
    const g = e.currentTarget.getContext('2d');
    const p = point(e);
    if (g) {
      g.beginPath();
      g.moveTo(last.current.x, last.current.y);
      g.lineTo(p.x, p.y);
      g.stroke();
    }
    last.current = p;
    if (empty) {
      setEmpty(false);
      changed.current?.(false);
    }
  };
  const up = () => {
    drawing.current = false;
    last.current = null;
  };

  useImperativeHandle(ref, () => ({
    toDataUrl: () => (empty || !canvas.current ? null : canvas.current.toDataURL('image/png')),
    clear: setup,
  }));

  return (
    <div className="signature-pad" data-testid="signature-pad" data-empty={String(empty)}>
      <canvas
        ref={canvas}
        style={{ height }}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
        onPointerLeave={up}
        aria-label={t('workOrders.detail.signHere')}
        data-testid="signature-canvas"
      />
      {empty && <div className="signature-hint">{t('workOrders.detail.signHere')}</div>}
      <Button size="small" icon={<ClearOutlined />} onClick={setup} className="signature-clear" data-testid="signature-clear">
        {t('workOrders.detail.clear')}
      </Button>
    </div>
  );
});
