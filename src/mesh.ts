import { MeshProvider } from './provider';

/**
 * A service mesh that constructs render for.
 */
export interface IMesh {
  /**
   * The mesh implementation and routing API.
   */
  readonly provider: MeshProvider;
}

/**
 * Attributes of a mesh installed elsewhere.
 */
export interface MeshAttributes {
  /**
   * The mesh implementation and routing API.
   */
  readonly provider: MeshProvider;
}

/**
 * References to meshes.
 */
export class Mesh {
  /**
   * A mesh installed outside this app (by a platform team, Helm, or another chart).
   */
  public static fromAttributes(attrs: MeshAttributes): IMesh {
    return { provider: attrs.provider };
  }

  private constructor() {}
}
