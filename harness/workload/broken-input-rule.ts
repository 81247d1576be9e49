import type { InputRules } from '../contract/define-target.js';

/** A request as the rules see it: its ids and the messages it carries (logMessage's own, handleChat's list and reply). */
export interface RuleRequest {
  sessionId: string;
  userId: string;
  messageId?: string;
  content?: string;
  messages?: { messageId: string; content: string }[];
  reply?: { messageId: string; content: string };
}

/** Which of a target's declared input rules a request breaks, in words; undefined when it keeps them all. A call that breaks one may be refused. */
export function brokenInputRule(req: RuleRequest, rules: InputRules | undefined): string | undefined {
  if (!rules) return undefined;
  // The messages a call stores: handleChat's earlier ones were the client's history, not this call's input.
  const stored = [
    ...(req.content !== undefined ? [{ messageId: req.messageId!, content: req.content }] : []),
    ...(req.messages?.length ? [req.messages.at(-1)!] : []),
    ...(req.reply ? [req.reply] : []),
  ];
  for (const m of stored) {
    if (rules.emptyContent === 'refuse' && m.content.trim() === '') return 'empty content';
    if (rules.maxContentLength !== undefined && [...m.content].length > rules.maxContentLength)
      return `content longer than ${rules.maxContentLength} characters`;
  }
  if (rules.idPattern !== undefined) {
    const pattern = typeof rules.idPattern === 'string' ? new RegExp(rules.idPattern) : rules.idPattern;
    const ids = [req.sessionId, req.userId, ...(req.messages ?? []).map((m) => m.messageId), ...stored.map((m) => m.messageId)];
    const bad = ids.find((id) => {
      pattern.lastIndex = 0;
      return !pattern.test(id);
    });
    if (bad !== undefined) return `id ${JSON.stringify(bad)} does not match ${pattern}`;
  }
  return undefined;
}
