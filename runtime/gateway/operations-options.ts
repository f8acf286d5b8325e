/**
 * Where the gateway serves `/metrics`, `/livez` and `/readyz` (design.md §11; operations.ts
 * serves them). Types only: generated code's type check reads this file as it is.
 */

export interface OperationsOptions {
  /** Default `/metrics`. */
  readonly metricsPath?: string;
  /** Default `/livez`. */
  readonly livenessPath?: string;
  /** Default `/readyz`. */
  readonly readinessPath?: string;
  /**
   * Serve the three on a listener of their own on this port (0: any free one), on the
   * gateway's host; they are then not served on the gateway's port. Default: the gateway's port.
   */
  readonly port?: number;
}
