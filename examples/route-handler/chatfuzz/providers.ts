// Replaces '@/lib/ai/providers' in tests: the AI SDK's own test model, answering with the reply the
// harness asks for (the request's x-reply header, URI-encoded), or with no text when there is none.
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { currentRequest } from '../../../harness/contract/current-request.js';

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

export const myProvider = {
  languageModel: (_id: string) =>
    new MockLanguageModelV3({
      doStream: async () => {
        const reply = currentRequest()?.headers.get('x-reply');
        const text =
          reply === null || reply === undefined
            ? []
            : [
                { type: 'text-start' as const, id: 't1' },
                { type: 'text-delta' as const, id: 't1', delta: decodeURIComponent(reply) },
                { type: 'text-end' as const, id: 't1' },
              ];
        return {
          stream: simulateReadableStream({
            chunks: [...text, { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: undefined }, usage }],
          }),
        };
      },
    }),
};
