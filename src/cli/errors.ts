/** A CLI failure with the exit code to leave with: 1 for a failed operation, 2 for bad usage or config. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
