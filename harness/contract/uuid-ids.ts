import { createHash } from 'node:crypto';

// Any fixed namespace will do; this one is chatfuzz's, so ids never collide with another v5 mapping.
const NAMESPACE = Buffer.from('6f1c1d8e4b7a4f0e9a3e2c5d7b9f0a12', 'hex');

/** RFC 4122 version-5 UUID of `name` in chatfuzz's namespace: the same harness id always maps to the same UUID. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Harness ids ↔ UUIDs: every id the store was handed is remembered, so a snapshot speaks harness ids again. */
export class UuidMap {
  private readonly back = new Map<string, string>();
  /** The UUID standing for `id`. */
  uuid(id: string): string {
    const u = uuidV5(id);
    this.back.set(u, id);
    return u;
  }
  /** The harness id a UUID stands for; a UUID the harness never handed out comes back as it is. */
  id(uuid: string): string {
    return this.back.get(uuid) ?? uuid;
  }
}
