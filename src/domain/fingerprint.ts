import type { Labels } from './model.js';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

/**
 * Alertmanager's alert fingerprint: FNV-1a 64 over the label names and values sorted by name,
 * each followed by the byte 0xff (Prometheus' `model.LabelSet.Fingerprint`). Used when a payload
 * lacks `fingerprint`, so a hand-made payload still gets the identity Alertmanager would give it.
 */
export function labelsFingerprint(labels: Labels): string {
  const encoder = new TextEncoder();
  let hash = FNV_OFFSET;
  const feed = (bytes: Uint8Array): void => {
    for (const b of bytes) hash = ((hash ^ BigInt(b)) * FNV_PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    feed(encoder.encode(name));
    feed(Uint8Array.of(SEPARATOR));
    feed(encoder.encode(labels[name] ?? ''));
    feed(Uint8Array.of(SEPARATOR));
  }
  return hash.toString(16).padStart(16, '0');
}
