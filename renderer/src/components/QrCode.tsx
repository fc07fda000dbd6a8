import QRCode from 'qrcode';
import { useMemo } from 'react';

/** A QR code as SVG squares, so a phone on the LAN can open the hub without typing its address. */
export function QrCode({ text, label, size = 160 }: { text: string; label: string; size?: number }) {
  const qr = useMemo(() => QRCode.create(text, { errorCorrectionLevel: 'M' }), [text]);
  const n = qr.modules.size;
  const quiet = 2;
  const cells: React.ReactNode[] = [];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (qr.modules.get(x, y))
        cells.push(<rect key={`${x}.${y}`} x={x + quiet} y={y + quiet} width={1} height={1} />);
    }
  }
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${n + 2 * quiet} ${n + 2 * quiet}`}
      shapeRendering="crispEdges"
    >
      <rect width="100%" height="100%" fill="#fff" />
      <g fill="#1d2330">{cells}</g>
    </svg>
  );
}
