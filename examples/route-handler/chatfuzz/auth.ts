// Replaces '@/app/(auth)/auth' in tests: the signed-in user is the request's x-user header, if that user exists.
import { currentRequest } from '../../../harness/contract/current-request.js';
import { getUser } from '../lib/db/queries';

export async function auth(): Promise<{ user: { id: string } } | null> {
  const id = currentRequest()?.headers.get('x-user');
  const user = id ? await getUser(id) : undefined;
  return user ? { user } : null;
}
