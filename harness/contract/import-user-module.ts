import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/** A user's module (target or config, TypeScript or JavaScript) as its own project would run it. */
export interface UserModule {
  /** Whether the module has a default export (`export default …` or CommonJS `module.exports`). */
  hasDefault: boolean;
  /** Its default export, unwrapped from CommonJS interop. */
  value: unknown;
  /** Its named exports (without `default`), to say what a module without a default export offers instead. */
  named: Record<string, unknown>;
}

/**
 * Imports a user's file through tsx's API: TypeScript, the project's tsconfig (`paths` such as
 * `@/lib/db`) and its package type (a project without `"type": "module"` runs its .ts files as
 * CommonJS, as tsx and Next.js do).
 */
export async function importUserModule(file: string): Promise<UserModule> {
  const mod: any = await tsImport(pathToFileURL(file).href, import.meta.url);
  let exports: any = mod;
  let value = mod?.default;
  // A .ts file run as CommonJS comes back as { default: module.exports }, itself { __esModule, default }.
  // Without a `default` in there, the module has named exports only.
  while (value && typeof value === 'object' && value.__esModule) {
    exports = value;
    value = value.default;
  }
  const hasDefault = value !== undefined;
  const named = Object.fromEntries(
    Object.entries(exports ?? {}).filter(([k]) => k !== 'default' && k !== '__esModule' && k !== 'module.exports'),
  );
  return { hasDefault, value: hasDefault ? value : mod, named };
}
