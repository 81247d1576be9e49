// The app's Prisma client, as Prisma's Next.js guide writes it: one per process, kept on
// globalThis so hot reloads reuse it, built from DATABASE_URL when this module loads. The client
// is generated from the canonical schema (chatfuzz's prisma/canonical.prisma) by the target.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../prisma/generated/canonical/client.js';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export const prisma =
  globalForPrisma.prisma ?? new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 4 }) });

if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;
