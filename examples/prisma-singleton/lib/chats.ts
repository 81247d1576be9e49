// The app's chat persistence, unchanged by chatfuzz. createChat is check-then-insert (the seeded
// bug: two first requests for one chat both find none and the second create dies with P2002).
import { prisma } from './prisma.js';

export async function createChat(id: string, userId: string, title: string | null): Promise<void> {
  const existing = await prisma.chatSession.findUnique({ where: { id } });
  if (existing) return;
  await prisma.chatSession.create({ data: { id, userId, title } });
}

export async function addMessage(id: string, chatId: string, role: string, content: string): Promise<void> {
  await prisma.chatMessage.create({ data: { id, sessionId: chatId, role, content } });
}

export async function disconnect(): Promise<void> {
  await prisma.$disconnect();
}
