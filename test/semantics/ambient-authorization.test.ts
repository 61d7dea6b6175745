/**
 * Issue 12, item 9: in ambient mode, requests to a Service bound to a waypoint reach the pods from
 * the waypoint, so the destination ztunnel sees the waypoint's identity, never the client's. A
 * selector-bound ALLOW for the client would deny everything. Upstream:
 * - istio.io/latest/docs/ambient/usage/l4-policy/ (considerations): ztunnel enforces
 *   selector-bound policies; a policy attached with targetRefs to a Service that uses a waypoint
 *   is enforced by the waypoint, which sees the original client; ztunnel fails closed (DENY) on L7
 *   attributes in a selector-bound policy.
 * - ambientmesh.io/docs/security/waypoint-authz: L7 policy uses `targetRefs: [{kind: Service,
 *   group: "", name}]`; a ztunnel policy ALLOWing only `<td>/ns/<ns>/sa/waypoint` keeps the
 *   waypoint from being bypassed (Istio names the waypoint's ServiceAccount after its Gateway).
 * - istio.io/latest/docs/ambient/migrate/migrate-policies/: RequestAuthentication needs a waypoint
 *   and targetRefs.
 * - the CRD (crd-all.gen.yaml, security.istio.io/v1): only one of selector or targetRefs.
 */
import { Testing } from 'cdk8s';
import {
  CanaryRelease, CanaryVersion, HttpMethod, InstallMethod, IstioDataPlaneMode, IstioProfile, Mesh, MeshAuthorization, MeshControlPlane,
  MeshInstall, MeshProvider, MeshWorkload, Peer, WorkloadSelector,
} from '../../src';
import { chart, ofKind, one } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const productpage = 'cluster.local/ns/shop/sa/productpage';
const waypoint = 'cluster.local/ns/shop/sa/waypoint';

function ambientInstall(c: any) {
  return new MeshInstall(c, 'Mesh', {
    controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }),
    method: InstallMethod.flux(),
    namespaces: [{ name: 'shop' }],
  });
}

function reviews(c: any, mesh: any) {
  return new CanaryRelease(c, 'reviews', {
    mesh,
    serviceName: 'reviews',
    namespace: 'shop',
    port: 9080,
    stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
    canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
  });
}

/** The seeds' reviews-viewer on the release of an ambient install, with a deny rule. */
function viewer(l7: boolean) {
  const c = chart();
  const install = ambientInstall(c);
  const release = reviews(c, install);
  new MeshAuthorization(c, 'reviews-viewer', {
    mesh: install,
    workload: release.workloadSelector,
    allow: [{
      name: 'productpage-get',
      from: [Peer.serviceAccount('productpage', 'shop')],
      ...(l7 ? { methods: [HttpMethod.GET], paths: ['/reviews/*'] } : { ports: [9080] }),
    }],
    deny: [{ name: 'no-admin', from: [Peer.outsideNamespaces(['shop'])], ...(l7 ? { paths: ['/admin/*'] } : {}) }],
  });
  return { c, m: Testing.synth(c) };
}

const policy = (m: any[], name: string) => one(m, 'AuthorizationPolicy', name).spec;

describe('ambient authorization behind a waypoint (item 9)', () => {
  test('the release\'s Service uses the waypoint: its rules attach to the Service (targetRefs), where the client is seen', () => {
    const { m } = viewer(false);
    expect(one(m, 'Service', 'reviews').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
    expect(policy(m, 'reviews-viewer-waypoint')).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [productpage] } }], to: [{ operation: { ports: ['9080'] } }] }],
    });
    expect(policy(m, 'reviews-viewer-deny')).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      action: 'DENY',
      rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }],
    });
  });

  test('the ztunnel-level (selector-bound) ALLOW admits the waypoint\'s identity, and only it', () => {
    const { m } = viewer(false);
    const ztunnel = policy(m, 'reviews-viewer');
    expect(ztunnel).toEqual({
      selector: { matchLabels: { app: 'reviews' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [waypoint] } }] }],
    });
    // no selector-bound policy names the client: ztunnel never sees it behind the waypoint
    for (const p of ofKind(m, 'AuthorizationPolicy').filter(x => x.spec.selector)) {
      expect(JSON.stringify(p.spec)).not.toContain(productpage);
    }
    // no policy sets both selector and targetRefs (the CRD allows one)
    for (const p of ofKind(m, 'AuthorizationPolicy')) expect(p.spec.selector && p.spec.targetRefs).toBeFalsy();
  });

  test('L7 rules (methods, paths) are allowed there, at the waypoint only', () => {
    const { m } = viewer(true);
    expect(policy(m, 'reviews-viewer-waypoint').rules).toEqual([{
      from: [{ source: { principals: [productpage] } }],
      to: [{ operation: { methods: ['GET'], paths: ['/reviews/*'] } }],
    }]);
    expect(policy(m, 'reviews-viewer-deny').rules[0].to).toEqual([{ operation: { paths: ['/admin/*'] } }]);
    for (const p of ofKind(m, 'AuthorizationPolicy').filter(x => x.spec.selector)) {
      expect(JSON.stringify(p.spec)).not.toMatch(/methods|paths/);
    }
  });

  test('allow-nothing: the waypoint denies every request, ztunnel admits only the waypoint', () => {
    const c = chart();
    const install = ambientInstall(c);
    const release = reviews(c, install);
    new MeshAuthorization(c, 'lockdown', { mesh: install, workload: release.workloadSelector });
    const m = Testing.synth(c);
    expect(policy(m, 'lockdown-waypoint')).toEqual({ targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }], action: 'ALLOW' });
    expect(policy(m, 'lockdown').rules).toEqual([{ from: [{ source: { principals: [waypoint] } }] }]);
  });

  test('a JWT is validated at the waypoint (RequestAuthentication with targetRefs)', () => {
    const c = chart();
    const install = ambientInstall(c);
    const release = reviews(c, install);
    new MeshAuthorization(c, 'jwt', {
      mesh: install,
      workload: release.workloadSelector,
      jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' },
      allow: [{ from: [Peer.jwt('https://auth.example.com')] }],
    });
    const m = Testing.synth(c);
    expect(one(m, 'RequestAuthentication').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
    expect(one(m, 'RequestAuthentication').spec.selector).toBeUndefined();
  });

  test('a Service bound to the waypoint after the policy is declared still gets the waypoint\'s policies', () => {
    const c = chart();
    const install = ambientInstall(c);
    const v1 = new MeshWorkload(c, 'reviews-v0', { mesh: install, serviceName: 'reviews', namespace: 'shop', version: 'v0', image: 'reviews:0', port: 9080 });
    new MeshAuthorization(c, 'reviews-viewer', {
      mesh: install, workload: v1.workloadSelector, allow: [{ from: [Peer.serviceAccount('productpage', 'shop')], methods: [HttpMethod.GET] }],
    });
    reviews(c, install);
    const m = Testing.synth(c);
    expect(policy(m, 'reviews-viewer').rules).toEqual([{ from: [{ source: { principals: [waypoint] } }] }]);
    expect(policy(m, 'reviews-viewer-waypoint').rules[0].to).toEqual([{ operation: { methods: ['GET'] } }]);
  });

  test('without a waypoint, L7 rules on a known Service are an error at synthesis; L4 rules stay selector-bound', () => {
    const c = chart();
    const install = ambientInstall(c);
    const v1 = new MeshWorkload(c, 'ratings-v1', { mesh: install, serviceName: 'ratings', namespace: 'shop', version: 'v1', image: 'ratings:1', port: 9080 });
    new MeshAuthorization(c, 'ratings-viewer', {
      mesh: install, workload: v1.workloadSelector, allow: [{ from: [Peer.serviceAccount('productpage', 'shop')], methods: [HttpMethod.GET] }],
    });
    expect(() => Testing.synth(c)).toThrow(/test\/ratings-viewer: Istio ambient \(security.istio.io\/v1\) cannot enforce L7 authorization rules \(methods\) on 'shop\/ratings': its Service has no waypoint/);

    const c2 = chart();
    const install2 = ambientInstall(c2);
    const w = new MeshWorkload(c2, 'ratings-v1', { mesh: install2, serviceName: 'ratings', namespace: 'shop', version: 'v1', image: 'ratings:1', port: 9080 });
    new MeshAuthorization(c2, 'ratings-viewer', { mesh: install2, workload: w.workloadSelector, allow: [{ from: [Peer.serviceAccount('productpage', 'shop')] }] });
    const m = Testing.synth(c2);
    expect(ofKind(m, 'AuthorizationPolicy')).toHaveLength(1);
    expect(policy(m, 'ratings-viewer')).toEqual({
      selector: { matchLabels: { app: 'ratings', version: 'v1' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [productpage] } }] }],
    });
  });

  test('the non-waypoint ambient case is unchanged: pods selected by labels get selector-bound L4 policies, L7 is rejected', () => {
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });
    const pods = WorkloadSelector.labels({ app: 'reviews' }, { namespace: 'shop', ports: [9080] });
    const c = chart();
    new MeshAuthorization(c, 'reviews-viewer', { mesh, workload: pods, allow: [{ from: [Peer.serviceAccount('productpage', 'shop')], ports: [9080] }] });
    expect(Testing.synth(c)).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'reviews-viewer', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'reviews' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: [productpage] } }], to: [{ operation: { ports: ['9080'] } }] }],
      },
    }]);
    expect(() => new MeshAuthorization(chart(), 'l7', { mesh, workload: pods, allow: [{ methods: [HttpMethod.GET] }] }))
      .toThrow(/cannot express L7 authorization rules \(methods\) on workloads selected by labels/);
  });

  itValidates('the output passes the upstream schemas (selector or targetRefs, never both)', () => {
    expectValid({ l4: viewer(false).m, l7: viewer(true).m });
  });
});
