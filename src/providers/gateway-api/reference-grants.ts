import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ReferenceGrantSpec } from './types';

const ID = 'GatewayApiReferenceGrants';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** A reference from a Gateway API object in one namespace to an object in another. */
export interface CrossNamespaceReference {
  /** the referring kind: Gateway, HTTPRoute, TLSRoute */
  readonly fromKind: string;
  readonly fromNamespace: string;
  /** the referred-to core kind: Service, Secret */
  readonly toKind: string;
  readonly toName: string;
  readonly toNamespace: string;
}

/**
 * The ReferenceGrants (gateway.networking.k8s.io/v1beta1) of a chart: one per target
 * namespace, allowing exactly the references the chart's gateways and routes make into it
 * (from kinds and namespaces, to named Services and Secrets), sorted and without duplicates.
 * Created once per chart; the grants are rendered at synthesis, after every reference is known.
 * @see https://gateway-api.sigs.k8s.io/api-types/referencegrant/
 */
export class ReferenceGrants extends Construct {
  /** The chart's grants, created by the first reference. */
  public static of(scope: IConstruct): ReferenceGrants {
    const chart = Chart.of(scope);
    return (chart.node.tryFindChild(ID) as ReferenceGrants | undefined) ?? new ReferenceGrants(chart, ID);
  }

  private readonly byNamespace = new Map<string, { from: Set<string>; to: Set<string> }>();
  private rendered = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => { this.render(); return []; } });
  }

  /** Records a reference; same-namespace references need no grant and are ignored. */
  public allow(ref: CrossNamespaceReference): void {
    if (ref.fromNamespace === ref.toNamespace) return;
    if (this.rendered) throw new Error(`${this.node.path}: a cross-namespace reference was added after synthesis`);
    const grant = this.byNamespace.get(ref.toNamespace) ?? { from: new Set<string>(), to: new Set<string>() };
    grant.from.add(JSON.stringify([GATEWAY_GROUP, ref.fromKind, ref.fromNamespace]));
    grant.to.add(JSON.stringify(['', ref.toKind, ref.toName]));
    this.byNamespace.set(ref.toNamespace, grant);
  }

  private render(): void {
    if (this.rendered) return;
    this.rendered = true;
    for (const namespace of [...this.byNamespace.keys()].sort()) {
      const grant = this.byNamespace.get(namespace)!;
      const from = [...grant.from].sort().map(f => JSON.parse(f) as string[]);
      const spec: ReferenceGrantSpec = {
        from: from.map(([group, kind, ns]) => ({ group, kind, namespace: ns })),
        to: [...grant.to].sort().map(t => JSON.parse(t) as string[]).map(([group, kind, name]) => ({ group, kind, name })),
      };
      new ApiObject(this, `ReferenceGrant-${namespace}`, {
        apiVersion: `${GATEWAY_GROUP}/v1beta1`,
        kind: 'ReferenceGrant',
        metadata: { name: grantName([...new Set(from.map(f => f[2]))]), namespace },
        spec,
      });
    }
  }
}

/** `gateway-refs-from-<namespaces>`, or a hash of them where that is too long for a name. */
function grantName(fromNamespaces: string[]): string {
  const name = `gateway-refs-from-${fromNamespaces.join('-')}`;
  if (name.length <= 63) return name;
  return `gateway-refs-${createHash('sha256').update(fromNamespaces.join(',')).digest('hex').slice(0, 12)}`;
}
