import fc from 'fast-check';
import { faultArbitrary } from '../harness/workload/fault-arbitrary.js';
import type { ModelScope, OperationDefinition } from '../harness/contract/define-target.js';
import type { CallSpec } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

/** The logical users and keys every operation workload owns. */
export const OPERATION_SCOPE: ModelScope = { users: ['u1', 'u2'], keys: ['k1', 'k2'] };

/** One call of any of the declared operations, its args drawn by the operation's own `args`, sometimes with a killed connection or a timeout. */
export function operationCall(
  operations: Record<string, OperationDefinition<any, any>>,
  scope: ModelScope = OPERATION_SCOPE,
): fc.Arbitrary<CallSpec> {
  const calls = Object.entries(operations).map(([name, op]) =>
    op.args(scope).map((args): CallSpec => ({
      op: 'operation',
      session: '',
      user: '',
      valid: false,
      operation: { name, args },
    })),
  );
  return fc
    .tuple(fc.oneof(...calls), fc.option(faultArbitrary(), { freq: 5, nil: null }))
    .map(([call, fault]) => (fault ? { ...call, fault } : call));
}

/**
 * Issue 25: the target's own operations, judged against its sequential model (the
 * `serializable` invariant): 1–4 clients making 1–3 calls each, drawn from the declared
 * operations' args over users u1, u2 and keys k1, k2; one call in five has a fault.
 */
export const operations: Scenario = {
  name: 'operations',
  kind: 'operations',
  description:
    "the target's own operations (model + operations): 1-4 clients x 1-3 calls from the operations' args, some with killed connections, judged by the serializable invariant",
  arbitrary(caps) {
    const ops = caps.operations ?? {};
    if (!Object.keys(ops).length) return fc.constant({ users: OPERATION_SCOPE.users, keys: OPERATION_SCOPE.keys, clients: [] });
    return fc
      .array(fc.array(operationCall(ops), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 })
      .map((clients) => ({ users: [...OPERATION_SCOPE.users], keys: [...OPERATION_SCOPE.keys], clients }));
  },
};
