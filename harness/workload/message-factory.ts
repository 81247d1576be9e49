import type { Role } from '../contract/define-target.js';
import type { WorkloadMessage } from './workload.js';

const TEXT: Record<Role, string> = {
  system: 'You are a helpful AI assistant.',
  user: 'Hello, can you help me design something?',
  assistant: 'Of course. What would you like to design?',
  tool: '{"result":"ok"}',
};

/** Hands out messages with trial-unique ids (`m1`, `m2`, …) and contents that carry their id. */
export class MessageFactory {
  private n = 0;
  next(role: Role, text: string = TEXT[role]): WorkloadMessage {
    const id = `m${++this.n}`;
    return { id, role, content: `${text} #${id}` };
  }
}

/** Logical user ids `u1…uN`. */
export function userIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `u${i + 1}`);
}
