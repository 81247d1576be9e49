/** The schema names under prisma/ (assistant-logging, canonical, …). */
export function prismaSchemaNames(): string[];
/** Whether prisma/generated/<name> holds a client generated from the current schema by the installed Prisma. */
export function isPrismaClientFresh(name: string): boolean;
/** Generates the client of prisma/<name>.prisma unless it is fresh; returns whether it generated. */
export function ensurePrismaClient(name: string, options?: { quiet?: boolean }): boolean;
