// The app's model provider (the AI Gateway in the templates): replaced in tests by chatfuzz/providers.ts.
// @ts-nocheck: @ai-sdk/gateway is not installed in this example, on purpose.
import { gateway } from '@ai-sdk/gateway';

export const myProvider = { languageModel: (id: string) => gateway.languageModel(id) };
