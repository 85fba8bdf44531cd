/**
 * Every code a PvaError carries, in one naming style (E_ and upper snake case), so a caller that
 * tells errors apart (`error.code === "E_HUB_UNREACHABLE"`) is checked by the compiler and a new
 * kind of error is added here, where all the others are seen.
 */
export type PvaErrorCode =
  // any user error without a more specific code
  | "E_PVA"
  // command line and study files
  | "E_USAGE"
  | "E_ARG"
  | "E_INPUT"
  | "E_CONFIG"
  | "E_OUTPUT"
  | "E_INTERRUPTED"
  | "E_BUILD"
  // run folders and their stores
  | "E_LOCKED"
  | "E_RUN_LOCKED"
  | "E_STORE_CLOSED"
  | "E_STORE_CORRUPT"
  | "E_MIXED_CHOICES"
  // models: where they come from, their files, running them
  | "E_MODEL_SOURCE"
  | "E_MODEL_FILE"
  | "E_MODEL"
  | "E_MODEL_MEMORY"
  | "E_WASM_MEMORY"
  | "E_ARCHITECTURE"
  | "E_TOKENIZER"
  | "E_TOKEN_SPAN"
  | "E_CHAT_TEMPLATE"
  | "E_NO_CHAT_TEMPLATE"
  | "E_CONTEXT"
  | "E_FORWARD"
  | "E_HOOK_SITE"
  | "E_GGUF_EXPORT"
  | "E_HUB"
  | "E_HUB_UNREACHABLE"
  | "E_HUB_NOT_FOUND"
  | "E_HUB_CHECKSUM"
  | "E_HUB_INTERRUPTED"
  // asking for choices and fitting them
  | "E_UNKNOWN_ACTIVITY"
  | "E_REQUEST_REJECTED"
  | "E_REQUEST_FAILED"
  | "E_ENDPOINT_DOWN"
  | "E_SERVER_PROTOCOL"
  | "E_ELICIT_FAILED"
  // analysis
  | "E_CORPUS"
  | "E_EMOTION"
  | "E_LAYER"
  | "E_TEMPLATE"
  | "E_TOO_FEW_ACTIVITIES"
  | "E_VECTOR_MODEL_MISMATCH"
  | "E_STEER"
  // report
  | "E_FONT";

/**
 * Errors a user can cause and fix. Their message is one line that names what to fix, so the CLI
 * prints `message` alone and never a stack trace.
 */
export class PvaError extends Error {
  readonly code: PvaErrorCode;

  constructor(message: string, code: PvaErrorCode = "E_PVA") {
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
