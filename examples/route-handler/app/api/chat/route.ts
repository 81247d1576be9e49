// The chat route, in the shape of the AI chat templates' POST: auth, load or create the chat,
// save the new messages, stream a reply from the AI SDK and save the turn in onFinish.
// The seeded bug: the chat is created by check-then-insert (getChatById, then saveChat), so two
// first requests for one new chat both find none and the second INSERT dies on chat_sessions_pkey
// (app/api/chat-fixed/route.ts is its fixed twin, the same file apart from ownChat).
import { auth } from '@/app/(auth)/auth';
import { myProvider } from '@/lib/ai/providers';
import { generateUUID } from '@/lib/utils';
import { streamText } from 'ai';
import { ChatSDKError, getChatById, saveChat, saveMessages, type DBMessage } from '../../../lib/db/queries';

type UIMessage = { id: string; role: 'user' | 'system' | 'assistant' | 'tool'; parts: { type: 'text'; text: string }[] };

/** The chat, created when new; another user's chat is refused. */
async function ownChat(id: string, userId: string, title: string): Promise<void> {
  const chat = await getChatById(id);
  if (!chat) await saveChat({ id, userId, title });
  else if (chat.userId !== userId) throw new ChatSDKError(403, 'Forbidden');
}

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
  const userId = session.user.id;
  const chat = await getChatById(body.id);
  if (chat && chat.userId !== userId) return new Response('Forbidden', { status: 403 });

  // The turn (the chat when new, the new messages, the reply) is written in onFinish, after every
  // check, so a refused request writes nothing; the response ends only once the turn is saved, and
  // fails when saving fails: a stream that closed first would tell the client "saved" too early.
  let turnSaved!: (error?: unknown) => void;
  const saved = new Promise<void>((resolve, reject) => {
    turnSaved = (error) => (error === undefined ? resolve() : reject(error));
  });
  const result = streamText({
    model: myProvider.languageModel(body.selectedChatModel),
    messages: body.messages.map((m, i) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: texts[i]! })),
    onFinish: async ({ content }) => {
      try {
        const rows: DBMessage[] = body.messages.map((m, i) => ({ id: m.id, chatId: body.id, role: m.role, content: texts[i]! }));
        // A reply with no text part (the model said nothing) is not saved.
        if (content.some((p) => p.type === 'text')) {
          const text = content.map((p) => (p.type === 'text' ? p.text : '')).join('');
          // PostgreSQL text cannot hold NUL: a reply with one is refused, before anything is written.
          if (text.includes('\u0000')) throw new ChatSDKError(422, 'the reply contains a NUL byte');
          rows.push({ id: generateUUID(), chatId: body.id, role: 'assistant', content: text });
        }
        await ownChat(body.id, userId, (texts.at(-1) ?? '').slice(0, 80));
        await saveMessages(rows);
        turnSaved();
      } catch (e) {
        turnSaved(e);
      }
    },
    onError: ({ error }) => turnSaved(error),
  });
  const stream = result.textStream
    .pipeThrough(new TransformStream<string, string>({ flush: () => saved }))
    .pipeThrough(new TextEncoderStream());
  return new Response(stream, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
