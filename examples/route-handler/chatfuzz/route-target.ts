// The chatfuzz target of a route module: every call is a POST the route answers in the logical
// client's own instance of the app (its own postgres.js client from its own POSTGRES_URL), with
// the auth, model and id modules replaced by the files in chatfuzz/.
import { defineTarget, type ChatMessageInput, type Expectation, type TargetDefinition } from '../../../harness/index.js';

/** A target that POSTs to the route at `route` (relative to this folder's parent). */
export function routeTarget(name: string, route: string, expect: Record<string, Expectation>): TargetDefinition {
  return defineTarget({
    name,
    description: `The chat route ${route} called in-process with a Request per operation.`,
    env: ['POSTGRES_URL'],
    alias: {
      '@/app/(auth)/auth': './chatfuzz/auth.ts',
      '@/lib/ai/providers': './chatfuzz/providers.ts',
      '@/lib/utils': './chatfuzz/utils.ts',
    },
    api: { reply: 'in-request', history: 'new' },
    expect,
    async create(ctx) {
      const post = await ctx.route(route);
      const queries = await ctx.load('./lib/db/queries.ts');
      const send = async (sessionId: string, userId: string, messages: ChatMessageInput[], reply?: ChatMessageInput) => {
        await post({
          url: '/api/chat',
          headers: { 'x-user': userId, ...(reply ? { 'x-reply': encodeURIComponent(reply.content), 'x-reply-id': reply.messageId } : {}) },
          body: {
            id: sessionId,
            selectedChatModel: 'chat-model',
            messages: messages.map((m) => ({ id: m.messageId, role: m.role, parts: [{ type: 'text', text: m.content }] })),
          },
        });
      };
      return {
        handleChat: ({ sessionId, userId, messages, reply }) => send(sessionId, userId, messages, reply),
        logMessage: ({ sessionId, userId, messageId, role, content }) => send(sessionId, userId, [{ messageId, role, content }]),
        close: () => queries.sql.end({ timeout: 1 }),
      };
    },
  });
}
