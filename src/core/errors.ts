/**
 * Typed errors. User input (files, ids, actions, options) fails with one of these, and the
 * message names the file, field or value so the user knows what to fix.
 */

/** Base class of every error gymnast throws on purpose. */
export class GymnastError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An id (env, agent, clip, MDP, …) that is not registered. Lists the known ids. */
export class UnknownIdError extends GymnastError {
  constructor(
    readonly kind: string,
    readonly id: string,
    readonly known: readonly string[],
    hint?: string,
  ) {
    super(`unknown ${kind} '${id}'${hint ? ` (${hint})` : ''}. Known ${kind}s: ${known.join(', ')}`);
  }
}

/** An action outside the env's action space. */
export class InvalidActionError extends GymnastError {}

/** A method called out of order (step before reset, step after close, …). */
export class UsageError extends GymnastError {}

/** One problem found while validating user input, with the path to the bad field. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Input that failed validation: every problem is listed with its path. */
export class ValidationError extends GymnastError {
  constructor(
    readonly source: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
        issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}

/** A malformed file: names the file and the line or field. */
export class FileFormatError extends GymnastError {
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}: ${where}: ${problem}`);
  }
}
