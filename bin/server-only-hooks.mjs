// ESM resolution hook of the chatfuzz command: `server-only` resolves to an empty module (see chatfuzz.mjs).
export async function resolve(specifier, context, next) {
  if (specifier === 'server-only') return { url: new URL('./empty-module.cjs', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
