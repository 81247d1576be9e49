// The chat route, in the shape of the AI chat templates' POST: auth, load or create the chat,
// save the new messages, stream a reply from the AI SDK and save it in onFinish.
// The fixed twin of app/api/chat/route.ts: the chat is created by one INSERT … ON CONFLICT DO
// NOTHING and read back (saveChatIfAbsent), so two first requests cannot both create it.
import { auth } from '@/app/(auth)/auth';
import { myProvider } from '@/lib/ai/providers';
import { generateUUID } from '@/lib/utils';
import { streamText } from 'ai';
import { ChatSDKError, saveChatIfAbsent, saveMessages } from '../../../lib/db/queries';

type UIMessage = { id: string; role: 'user' | 'system' | 'assistant' | 'tool'; parts: { type: 'text'; text: string }[] };

export async function POST(request: Request): Promise<Response> {
  let body: { id: string; messages: UIMessage[]; selectedChatModel: string };
  try {
    body = await request.json();
  } catch {
    return new Response('Invalid request body', { status: 400 });
  }
  const texts = body.messages.map((m) => m.parts.map((p) => p.text).join(''));
  if (texts.some((t) => t.includes('\u0000'))) return new Response('Invalid request body', { status: 400 });
  const session = await auth();
  if (!session?.user) return new Response('Unauthorized', { status: 401 });

  const chat = await saveChatIfAbsent({ id: body.id, userId: session.user.id, title: (texts.at(-1) ?? '').slice(0, 80) });
  if (!chat) return new Response('Chat deleted', { status: 409 });
  if (chat.userId !== session.user.id) return new Response('Forbidden', { status: 403 });
  try {
    await saveMessages(body.messages.map((m, i) => ({ id: m.id, chatId: body.id, role: m.role, content: texts[i]! })));
  } catch (e) {
    if (e instanceof ChatSDKError) return new Response(e.message, { status: e.status });
    throw e;
  }

  const result = streamText({
    model: myProvider.languageModel(body.selectedChatModel),
    messages: body.messages.map((m, i) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: texts[i]! })),
    onFinish: async ({ content }) => {
      // A reply with no text part (the model said nothing) is not saved.
      if (!content.some((p) => p.type === 'text')) return;
      await saveMessages([{ id: generateUUID(), chatId: body.id, role: 'assistant', content: content.map((p) => (p.type === 'text' ? p.text : '')).join('') }]);
    },
  });
  return result.toTextStreamResponse();
}
