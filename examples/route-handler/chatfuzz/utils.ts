// Replaces '@/lib/utils' in tests: the reply's id is the one the harness gave it (the x-reply-id header).
import { currentRequest } from '../../../harness/contract/current-request.js';

export function generateUUID(): string {
  return currentRequest()?.headers.get('x-reply-id') ?? crypto.randomUUID();
}
