// The app's authentication (NextAuth in the templates). It cannot run outside the app: the
// chatfuzz target replaces this module through its `alias` map (chatfuzz/auth.ts).
// @ts-nocheck: next-auth is not installed in this example, on purpose.
import NextAuth from 'next-auth';

export const { auth, handlers, signIn, signOut } = NextAuth({ providers: [] });
