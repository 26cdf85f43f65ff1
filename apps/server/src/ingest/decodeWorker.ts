/**
 * The decode thread: checks and prepares MQTT payloads (decode.ts, store.ts's `prepare`) off the main
 * thread, which keeps the broker and the database writes. See decodeThread.ts.
 */
import { parentPort } from 'node:worker_threads';
import { decodeMessage } from './decode.js';
import { prepare } from './store.js';
import type { DecodeReply, DecodeRequest, DecodeResult } from './decodeThread.js';

parentPort!.postMessage('ready');
parentPort!.on('message', (req: DecodeRequest) => {
  const data = Buffer.from(req.data);
  const results: DecodeResult[] = [];
  const lines: Buffer[] = [];
  for (let i = 0; i < req.orgIds.length; i++) {
    const d = decodeMessage(data.subarray(req.offsets[i], req.offsets[i + 1]));
    if (!d.ok) {
      results.push(d);
      continue;
    }
    const rec = prepare(d.msg, req.orgIds[i]!, req.terminalIds[i]!, req.received[i]!);
    if (rec.kind === 'telemetry') {
      lines.push(rec.line);
      results.push({ ok: true, rec: { ...rec, line: lines.length - 1 } });
    } else results.push({ ok: true, rec });
  }
  const lineOffsets = new Uint32Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) lineOffsets[i + 1] = lineOffsets[i]! + lines[i]!.length;
  // An ArrayBuffer of its own, handed over without a copy.
  const out = new Uint8Array(lineOffsets[lines.length]!);
  for (let i = 0; i < lines.length; i++) out.set(lines[i]!, lineOffsets[i]);
  const reply: DecodeReply = { batch: req.batch, results, lines: out.buffer, lineOffsets };
  parentPort!.postMessage(reply, [out.buffer]);
});
