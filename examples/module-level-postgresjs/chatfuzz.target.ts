// The app above, tested as it is: each logical client gets its own instance of lib/ (its own
// postgres.js client, built from its own gated POSTGRES_URL when lib/db.ts loads).
import { defineTarget } from '../../harness/index.js';

export default defineTarget({
  name: 'module-level-postgresjs',
  description: 'ai-chatbot-style queries: module-level postgres.js from POSTGRES_URL; saveChat is check-then-insert.',
  env: ['POSTGRES_URL'],
  async create(ctx) {
    const q = await ctx.load('./lib/queries.ts');
    return {
      createSession: ({ sessionId, userId, title }) => q.saveChat(sessionId, userId, title ?? null),
      async logMessage({ sessionId, userId, messageId, role, content }) {
        await q.saveChat(sessionId, userId, null);
        await q.saveMessage(messageId, sessionId, role, content);
      },
      close: () => q.closeDb(),
    };
  },
});
