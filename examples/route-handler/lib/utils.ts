// The app's id generator: replaced in tests by chatfuzz/utils.ts, so replies get the ids the harness checks.
export function generateUUID(): string {
  return crypto.randomUUID();
}
