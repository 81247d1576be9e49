/** A usage or configuration error: exit code 2, the message names the valid choices. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An infrastructure error (database unreachable, Docker missing): exit code 3, the message names the cause. */
export class InfraError extends Error {
  readonly exitCode = 3;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraError';
  }
}

/** A target that breaks the ChatStore contract (a method that returns no Promise): a usage error naming the rule, never a finding. */
export class TargetContractError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'TargetContractError';
  }
}
