/** JSON-RPC error codes as Zabbix's `CJsonRpc` answers them, with their fixed messages. */
export const RPC_ERRORS = {
  parse: { code: -32700, message: 'Parse error.' },
  invalidRequest: { code: -32600, message: 'Invalid request.' },
  methodNotFound: { code: -32601, message: 'Method not found.' },
  /** ZBX_API_ERROR_PARAMETERS and ZBX_API_ERROR_NO_AUTH. */
  invalidParams: { code: -32602, message: 'Invalid params.' },
  /** ZBX_API_ERROR_PERMISSIONS and ZBX_API_ERROR_INTERNAL. */
  application: { code: -32500, message: 'Application error.' },
} as const;

export type RpcErrorKind = keyof typeof RPC_ERRORS;

/** An error answer: `{jsonrpc: "2.0", error: {code, message, data}, id}`. */
export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    readonly data: string,
  ) {
    super(data);
  }

  toJson(): { code: number; message: string; data: string } {
    return { ...RPC_ERRORS[this.kind], data: this.data };
  }
}

export const invalidParams = (data: string): RpcError => new RpcError('invalidParams', data);
