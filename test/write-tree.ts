import fs from 'node:fs';
import path from 'node:path';

/** Writes `files` (relative path → text) under `root/name`, making folders as needed; returns that folder. */
export function writeTree(root: string, name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
