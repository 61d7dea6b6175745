import { Construct } from 'constructs';
import { SecurityRenderer, Unsupported } from '../../model/renderer';
import { AuthorizationIntent, MtlsIntent } from '../../model/security';

const CHOOSE = 'choose the mesh (MeshProvider.istio() or MeshProvider.linkerd())';

/**
 * "Any GAMMA-conformant mesh": Gateway API has no standard mTLS or authorization API, so every
 * security intent is a capability error that says which provider to choose.
 */
export class GatewayApiSecurity implements SecurityRenderer {
  public readonly displayName = 'Gateway API (any GAMMA mesh)';

  public mtlsUnsupported(_intent: MtlsIntent): Unsupported[] {
    return [{ feature: 'mTLS modes (no standard API for them)', instead: `${CHOOSE}, whose own API sets them` }];
  }

  public renderMtls(_scope: Construct, _intent: MtlsIntent): void {
    throw new Error('unreachable: mtlsUnsupported() rejects every migration');
  }

  public authorizationUnsupported(_intent: AuthorizationIntent): Unsupported[] {
    return [{ feature: 'authorization policies (no standard API for them)', instead: `${CHOOSE}, whose own API expresses them` }];
  }

  public renderAuthorization(_scope: Construct, _intent: AuthorizationIntent): void {
    throw new Error('unreachable: authorizationUnsupported() rejects every policy');
  }
}
