// The app above, tested as it is: each logical client gets its own instance of lib/ (its own
// globalThis, so its own singleton, built from its own gated DATABASE_URL).
import { ensurePrismaClient } from '../../scripts/prisma-generate.mjs';
import { defineTarget } from '../../harness/index.js';

export default defineTarget({
  name: 'prisma-singleton',
  description: 'A globalThis.prisma singleton over @prisma/adapter-pg from DATABASE_URL; createChat is check-then-insert.',
  env: ['DATABASE_URL'],
  async create(ctx) {
    ensurePrismaClient('canonical');
    const chats = await ctx.load('./lib/chats.ts');
    return {
      createSession: ({ sessionId, userId, title }) => chats.createChat(sessionId, userId, title ?? null),
      async logMessage({ sessionId, userId, messageId, role, content }) {
        await chats.createChat(sessionId, userId, null);
        await chats.addMessage(messageId, sessionId, role, content);
      },
      close: () => chats.disconnect(),
    };
  },
});
