/**
 * Errors a user can cause and fix. Their message is one line that names what to fix, so the CLI
 * prints `message` alone and never a stack trace.
 */
export class PvaError extends Error {
  readonly code: string;

  constructor(message: string, code = "E_PVA") {
    super(message);
    this.name = "PvaError";
    this.code = code;
  }
}

/**
 * A problem in a file the user gave us: `${file}: ${path}: ${expectation}`. An empty path (the
 * file as a whole: missing, unreadable) gives `${file}: ${expectation}`.
 */
export class InputError extends PvaError {
  readonly file: string;
  readonly path: string;
  readonly expectation: string;

  constructor(file: string, path: string, expectation: string) {
    super(path === "" ? `${file}: ${expectation}` : `${file}: ${path}: ${expectation}`, "E_INPUT");
    this.name = "InputError";
    this.file = file;
    this.path = path;
    this.expectation = expectation;
  }
}
