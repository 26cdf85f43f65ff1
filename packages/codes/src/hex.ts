/** Hex helpers shared by the EMV and ISO 8583 code. Hex out is always upper case. */

const HEX_RE = /^[0-9A-Fa-f]*$/;

export const isHex = (s: string): boolean => HEX_RE.test(s);

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += BYTE_HEX[bytes[i] as number];
  return s;
}
