// The route with its seeded bug (check-then-insert of the chat): fails where two first requests race.
import { routeTarget } from './chatfuzz/route-target';

export default routeTarget('route-handler', './app/api/chat/route.ts', { 'concurrent-duplicates': 'fail' });
