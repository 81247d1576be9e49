// The fixed twin: the chat is created by INSERT … ON CONFLICT DO NOTHING; passes every scenario.
import { routeTarget } from './chatfuzz/route-target';

export default routeTarget('route-handler-fixed', './app/api/chat-fixed/route.ts', { '*': 'pass' });
