import { createHash } from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { ReferenceGrantSpec } from './types';
import { emit } from '../../private/ownership';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** A Gateway API object that refers to objects in other namespaces. */
export interface Referrer {
  /** Gateway, HTTPRoute, TLSRoute */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** the construct named in errors */
  readonly owner: IConstruct;
}

/** An object a referrer refers to. */
export interface Referent {
  /** the core kind: Service, Secret */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/**
 * The ReferenceGrants (gateway.networking.k8s.io/v1beta1) one referrer needs: one per namespace
 * it refers into, allowing its kind from its namespace to exactly the objects it names there,
 * sorted and without duplicates. Each grant is named after its referrer
 * (`from-<kind>-<namespace>-<name>`), which the ownership registry keeps unique, so two charts
 * or two routes never emit the same grant, and deleting a route deletes only its grants. (A grant
 * admits every object of that kind from that namespace: Gateway API's `from` names no object.)
 * @see https://gateway-api.sigs.k8s.io/api-types/referencegrant/
 */
export function grantReferences(scope: Construct, from: Referrer, to: Referent[]): void {
  const byNamespace = new Map<string, Set<string>>();
  for (const r of to) {
    if (r.namespace === from.namespace) continue; // same-namespace references need no grant
    const names = byNamespace.get(r.namespace) ?? new Set<string>();
    names.add(JSON.stringify([r.kind, r.name]));
    byNamespace.set(r.namespace, names);
  }
  for (const namespace of [...byNamespace.keys()].sort()) {
    const spec: ReferenceGrantSpec = {
      from: [{ group: GATEWAY_GROUP, kind: from.kind, namespace: from.namespace }],
      to: [...byNamespace.get(namespace)!].sort().map(t => JSON.parse(t) as string[]).map(([kind, name]) => ({ group: '', kind, name })),
    };
    emit(scope, `ReferenceGrant-${namespace}`, {
      apiVersion: `${GATEWAY_GROUP}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: { name: grantName(from), namespace },
      spec,
    }, { owner: from.owner });
  }
}

/** `from-<kind>-<namespace>-<name>`, or a hash of it where that is too long for a name. */
function grantName(from: Referrer): string {
  const name = `from-${from.kind.toLowerCase()}-${from.namespace}-${from.name}`;
  if (name.length <= 253) return name;
  return `from-${from.kind.toLowerCase()}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}
