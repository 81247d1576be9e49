-- DDL of prisma/assistant-logging.prisma, as `prisma migrate diff --from-empty` writes it.
-- Keep the two in step: targets/assistant-logging-schema.test.ts compares them.
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AssistantChatSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "title" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AssistantChatSession_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AssistantChatMessage" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),

    CONSTRAINT "AssistantChatMessage_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

CREATE INDEX "AssistantChatSession_userId_idx" ON "AssistantChatSession"("userId");

CREATE INDEX "AssistantChatMessage_sessionId_createdAt_idx" ON "AssistantChatMessage"("sessionId", "createdAt");

ALTER TABLE "AssistantChatSession" ADD CONSTRAINT "AssistantChatSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "AssistantChatMessage" ADD CONSTRAINT "AssistantChatMessage_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "AssistantChatSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
