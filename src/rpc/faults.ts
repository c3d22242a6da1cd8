// supervisord's fault codes (supervisor/xmlrpc.py Faults) and the error methods throw.

/**
 * Fault codes by name, exactly supervisord's.
 * @example Faults.BAD_NAME // 10
 */
export const Faults = {
  UNKNOWN_METHOD: 1,
  INCORRECT_PARAMETERS: 2,
  BAD_ARGUMENTS: 3,
  SIGNATURE_UNSUPPORTED: 4,
  SHUTDOWN_STATE: 6,
  BAD_NAME: 10,
  BAD_SIGNAL: 11,
  NO_FILE: 20,
  NOT_EXECUTABLE: 21,
  FAILED: 30,
  ABNORMAL_TERMINATION: 40,
  SPAWN_ERROR: 50,
  ALREADY_STARTED: 60,
  NOT_RUNNING: 70,
  SUCCESS: 80,
  ALREADY_ADDED: 90,
  STILL_RUNNING: 91,
  CANT_REREAD: 92,
} as const;

/** One of the fault names. */
export type FaultName = keyof typeof Faults;

/**
 * A fault a method raises: `text` is "NAME" or "NAME: extra", as supervisord's RPCError.
 * @example new RpcFault("BAD_NAME", "web").text // "BAD_NAME: web"
 */
export class RpcFault extends Error {
  readonly code: number;
  readonly text: string;
  constructor(name: FaultName, extra?: string | number) {
    const text = extra === undefined ? name : `${name}: ${extra}`;
    super(text);
    this.code = Faults[name];
    this.text = text;
  }
}
