/**
 * Changes to the headers of a request or response.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpheaderfilter
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers
 */
export interface HeaderModification {
  /**
   * Headers set to a value (replacing any).
   * @default - none
   */
  readonly set?: { [name: string]: string };

  /**
   * Headers added (appended to any of the same name).
   * @default - none
   */
  readonly add?: { [name: string]: string };

  /**
   * Headers removed.
   * @default - none
   */
  readonly remove?: string[];
}
