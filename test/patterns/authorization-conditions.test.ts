/**
 * Issue 15: authorization conditions (`when`), several operations per rule (`to`) and JWT
 * options, on Istio and, where an equivalent exists, on Linkerd.
 *
 * How Istio reads what is emitted (istio/istio):
 * - pilot/pkg/security/authz/model/model.go: the `when` keys (request.headers[...],
 *   request.auth.claims[...], request.auth.principal/audiences/presenter, source.ip, remote.ip,
 *   destination.*, connection.sni, experimental.envoy.filters.*); any other key is an error.
 *   Conditions are ANDed with `from` and `to`; a rule's `to` operations are ORed.
 * - model/generator.go: headers and claims are HTTP only ("is HTTP only" on TCP); claims use
 *   extractNameInNestedBrackets, so `[a][b]` is a nested claim; values of a list claim match
 *   when one item does (MetadataListValueMatcherForJWTClaims).
 * - matcher/string.go StringMatcherWithPrefix, matcher/header.go HeaderMatcher: `*` any (a
 *   header: present), `abc*` prefix, `*abc` suffix, else exact.
 * - pkg/config/validation: `values` or `notValues` set, no empty value (CheckEmptyValues),
 *   IPs/CIDRs parse (ValidateIPs).
 * - pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go: ztunnel enforces only
 *   source.ip, source.namespace, source.principal, destination.ip/port among `when` keys.
 * Linkerd (linkerd/linkerd2 policy-controller/k8s/index/src/routes/http.rs): HTTPRoute header
 * matches are Exact or RegularExpression; AuthorizationPolicy requiredAuthenticationRefs are all
 * required (CRD description: "ALL authentications must be satisfied").
 */
import { Testing } from 'cdk8s';
import {
  CanaryRelease, CanaryVersion, Condition, HttpMethod, InstallMethod, IstioDataPlaneMode, IstioProfile, Mesh, MeshAuthorization,
  MeshAuthorizationProps, MeshControlPlane, MeshInstall, MeshProvider, Peer, WorkloadSelector,
} from '../../src';
import { chart, meshOf, ofKind, one } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const ISSUER = 'https://auth.example.com';
const JWKS = 'https://auth.example.com/.well-known/jwks.json';
const apiServer = WorkloadSelector.labels({ app: 'api-server' }, { ports: [8080] });
const outputs: Record<string, any[]> = {};

function synth(provider: string, props: Omit<MeshAuthorizationProps, 'mesh'>, id = 'api', namespace = 'production'): any[] {
  const c = chart(namespace);
  new MeshAuthorization(c, id, { mesh: meshOf(provider), ...props });
  return Testing.synth(c);
}

/** Seed 002 §10.1–10.2, as a platform engineer writes it with the library. */
function seed002(provider: string) {
  const c = chart('production');
  const mesh = meshOf(provider);
  // allow-frontend-to-api
  new MeshAuthorization(c, 'allow-frontend-to-api', {
    mesh,
    workload: apiServer,
    allow: [{
      from: [Peer.serviceAccount('frontend', 'production')],
      methods: [HttpMethod.GET, HttpMethod.POST],
      paths: ['/api/v1/*'],
      when: [Condition.header('x-api-version', ['v1', 'v2'])],
    }],
  });
  // jwt-auth + require-jwt
  new MeshAuthorization(c, 'require-jwt', {
    mesh,
    workload: apiServer,
    jwt: { issuer: ISSUER, jwksUri: JWKS, forwardOriginalToken: true, outputPayloadToHeader: 'x-jwt-payload' },
    allow: [{ from: [Peer.jwt(ISSUER)], when: [Condition.claim('role', ['admin', 'editor'])] }],
  });
  return Testing.synth(c);
}

describe('seed 002: zero trust with header and JWT conditions, on Istio', () => {
  const out = seed002('istio');
  outputs['seed-002-istio'] = out;

  test('allow-frontend-to-api: frontend\'s identity, GET/POST on /api/v1/*, when x-api-version is v1 or v2', () => {
    // The seed also lists `namespaces: ["production"]` in the same source as the principal (both
    // must hold): `cluster.local/ns/production/sa/frontend` is in production already, so the
    // principal alone admits exactly the same clients.
    expect(one(out, 'AuthorizationPolicy', 'allow-frontend-to-api')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-frontend-to-api', namespace: 'production' },
      spec: {
        selector: { matchLabels: { app: 'api-server' } },
        action: 'ALLOW',
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }],
          to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/v1/*'] } }],
          when: [{ key: 'request.headers[x-api-version]', values: ['v1', 'v2'] }],
        }],
      },
    });
  });

  test('jwt-auth: the RequestAuthentication forwards the token and writes its payload to x-jwt-payload', () => {
    expect(one(out, 'RequestAuthentication')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'require-jwt-jwt', namespace: 'production' },
      spec: {
        selector: { matchLabels: { app: 'api-server' } },
        jwtRules: [{ issuer: ISSUER, jwksUri: JWKS, forwardOriginalToken: true, outputPayloadToHeader: 'x-jwt-payload' }],
      },
    });
  });

  test('require-jwt: a token from the issuer whose role claim is admin or editor', () => {
    expect(one(out, 'AuthorizationPolicy', 'require-jwt').spec).toEqual({
      selector: { matchLabels: { app: 'api-server' } },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { requestPrincipals: ['https://auth.example.com/*'] } }],
        when: [{ key: 'request.auth.claims[role]', values: ['admin', 'editor'] }],
      }],
    });
  });

  test('the deprecated claims shorthand gives the same condition (nested as a.b)', () => {
    const legacy = synth('istio', {
      workload: apiServer,
      jwt: { issuer: ISSUER, jwksUri: JWKS },
      allow: [{ claims: [{ claim: 'role', values: ['admin'] }, { claim: 'realm_access.roles', values: ['ops'] }] }],
    });
    expect(one(legacy, 'AuthorizationPolicy').spec.rules[0].when).toEqual([
      { key: 'request.auth.claims[role]', values: ['admin'] },
      { key: 'request.auth.claims[realm_access][roles]', values: ['ops'] },
    ]);
  });
});

describe('every condition on Istio', () => {
  test('keys, values and notValues, in the order written', () => {
    const out = synth('istio', {
      workload: apiServer,
      jwt: { issuer: ISSUER, jwksUri: JWKS },
      allow: [{
        when: [
          Condition.header('x-tenant', ['*']),
          Condition.header('User-Agent', ['Mozilla/*', '*bot']),
          Condition.negate(Condition.header('x-env', ['prod'])),
          Condition.claim('https://example.com/roles', ['admin']),
          Condition.nestedClaim(['realm_access', 'roles'], ['ops', 'ops']),
          Condition.requestPrincipal(ISSUER, 'user-*'),
          Condition.audience(['api.example.com']),
          Condition.presenter(['web-*']),
          Condition.sourceIp(['10.0.0.0/8', 'fd00::/8']),
          Condition.remoteIp(['203.0.113.7']),
          Condition.negate(Condition.negate(Condition.claim('email_verified', ['true']))),
        ],
      }],
      deny: [{ name: 'not-admin', paths: ['/admin/*'], when: [Condition.negate(Condition.claim('role', ['admin']))] }],
    });
    outputs['every-condition-istio'] = out;
    expect(one(out, 'AuthorizationPolicy', 'api').spec.rules).toEqual([{
      when: [
        { key: 'request.headers[x-tenant]', values: ['*'] },
        { key: 'request.headers[User-Agent]', values: ['Mozilla/*', '*bot'] },
        { key: 'request.headers[x-env]', notValues: ['prod'] },
        // a claim name with dots and slashes is one claim, not a path
        { key: 'request.auth.claims[https://example.com/roles]', values: ['admin'] },
        { key: 'request.auth.claims[realm_access][roles]', values: ['ops'] },
        { key: 'request.auth.principal', values: ['https://auth.example.com/user-*'] },
        { key: 'request.auth.audiences', values: ['api.example.com'] },
        { key: 'request.auth.presenter', values: ['web-*'] },
        { key: 'source.ip', values: ['10.0.0.0/8', 'fd00::/8'] },
        { key: 'remote.ip', values: ['203.0.113.7'] },
        { key: 'request.auth.claims[email_verified]', values: ['true'] },
      ],
    }]);
    // a DENY rule "unless role is admin" also refuses requests without a token (no claim matches)
    expect(one(out, 'AuthorizationPolicy', 'api-deny').spec.rules).toEqual([{
      to: [{ operation: { paths: ['/admin/*'] } }],
      when: [{ key: 'request.auth.claims[role]', notValues: ['admin'] }],
    }]);
  });

  test('per-path methods: one rule, several operations (Istio ORs a rule\'s `to`)', () => {
    const out = synth('istio', {
      workload: apiServer,
      allow: [{
        from: [Peer.serviceAccount('frontend', 'production')],
        to: [
          { methods: [HttpMethod.GET, HttpMethod.HEAD], paths: ['/api/v1/*'] },
          { methods: [HttpMethod.POST], paths: ['/api/v1/orders'] },
          { ports: [8080], paths: ['/healthz'] },
        ],
        when: [Condition.header('x-api-version', ['v1'])],
      }],
    });
    outputs['per-path-methods-istio'] = out;
    expect(one(out, 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/production/sa/frontend'] } }],
      to: [
        { operation: { methods: ['GET', 'HEAD'], paths: ['/api/v1/*'] } },
        { operation: { methods: ['POST'], paths: ['/api/v1/orders'] } },
        { operation: { paths: ['/healthz'], ports: ['8080'] } },
      ],
      when: [{ key: 'request.headers[x-api-version]', values: ['v1'] }],
    }]);
  });

  test('an operation that matches everything (paths: [\'*\']) leaves `to` out: the rule matches any request', () => {
    const out = synth('istio', { workload: apiServer, allow: [{ to: [{ methods: [HttpMethod.GET] }, { paths: ['*'] }] }] });
    expect(one(out, 'AuthorizationPolicy').spec.rules).toEqual([{}]);
  });

  test('JWT locations: fromHeaders and fromParams replace the default Authorization: Bearer', () => {
    const out = synth('istio', {
      workload: apiServer,
      jwt: {
        issuer: ISSUER,
        jwksUri: JWKS,
        audiences: ['api'],
        fromHeaders: [{ name: 'x-goog-iap-jwt-assertion' }, { name: 'Authorization', prefix: 'Token ' }],
        fromParams: ['token', 'token'],
        outputPayloadToHeader: 'x-jwt-payload',
      },
    });
    outputs['jwt-locations-istio'] = out;
    expect(one(out, 'RequestAuthentication').spec.jwtRules).toEqual([{
      issuer: ISSUER,
      jwksUri: JWKS,
      audiences: ['api'],
      fromHeaders: [{ name: 'x-goog-iap-jwt-assertion' }, { name: 'Authorization', prefix: 'Token ' }],
      fromParams: ['token'],
      outputPayloadToHeader: 'x-jwt-payload',
    }]);
  });
});

describe('Istio ambient: ztunnel enforces only source.ip; the rest needs the waypoint', () => {
  const ambient = () => Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });

  test('a source-IP condition stays on ztunnel (selector-bound)', () => {
    const c = chart('production');
    new MeshAuthorization(c, 'api', { mesh: ambient(), workload: apiServer, allow: [{ when: [Condition.sourceIp(['10.0.0.0/8'])] }] });
    const out = Testing.synth(c);
    outputs['source-ip-ambient'] = out;
    expect(one(out, 'AuthorizationPolicy').spec).toEqual({
      selector: { matchLabels: { app: 'api-server' } }, action: 'ALLOW', rules: [{ when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }] }],
    });
  });

  test('header, remote-IP and JWT conditions on pods selected by labels: an error naming them', () => {
    expect(() => new MeshAuthorization(chart('production'), 'api', {
      mesh: ambient(),
      workload: apiServer,
      jwt: { issuer: ISSUER, jwksUri: JWKS },
      allow: [{ when: [Condition.header('x-api-version', ['v1']), Condition.remoteIp(['10.0.0.1']), Condition.claim('role', ['admin'])] }],
    })).toThrow(/^test\/api: Istio ambient \(security.istio.io\/v1\) cannot express L7 authorization rules \(request headers, remote IPs, JWT\) on workloads selected by labels; ztunnel enforces them at L4/);
  });

  test('behind the waypoint, the conditions go to the policy the waypoint enforces (targetRefs)', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux(), namespaces: [{ name: 'shop' }],
    });
    const release = new CanaryRelease(c, 'reviews', {
      mesh: install,
      serviceName: 'reviews',
      namespace: 'shop',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
    });
    new MeshAuthorization(c, 'reviews-viewer', {
      mesh: install,
      workload: release.workloadSelector,
      allow: [{ from: [Peer.serviceAccount('productpage', 'shop')], when: [Condition.header('x-api-version', ['v1'])] }],
    });
    const out = Testing.synth(c);
    outputs['conditions-waypoint'] = out;
    expect(one(out, 'AuthorizationPolicy', 'reviews-viewer-waypoint').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/productpage'] } }], when: [{ key: 'request.headers[x-api-version]', values: ['v1'] }] }],
    });
    for (const p of ofKind(out, 'AuthorizationPolicy').filter(x => x.spec.selector)) expect(JSON.stringify(p.spec)).not.toContain('x-api-version');
  });
});

describe('Linkerd: header conditions as HTTPRoute matches, source addresses as a NetworkAuthentication', () => {
  test('seed 002\'s allow-frontend-to-api: every method × header value is a match (an HTTPRoute ORs matches, ANDs a match\'s headers)', () => {
    const c = chart('production');
    new MeshAuthorization(c, 'allow-frontend-to-api', {
      mesh: meshOf('linkerd'),
      workload: apiServer,
      allow: [{
        name: 'frontend',
        from: [Peer.serviceAccount('frontend', 'production')],
        methods: [HttpMethod.GET, HttpMethod.POST],
        paths: ['/api/v1/*'],
        when: [Condition.header('x-api-version', ['v1', 'v2*']), Condition.header('x-tenant', ['*'])],
      }],
    });
    const out = Testing.synth(c);
    outputs['seed-002-linkerd'] = out;
    const path = { type: 'RegularExpression', value: '^/api/v1/.*$' };
    const tenant = { name: 'x-tenant', type: 'RegularExpression', value: '^.*$' };
    expect(one(out, 'HTTPRoute').spec.rules).toEqual([{
      matches: [
        { path, method: 'GET', headers: [{ name: 'x-api-version', type: 'Exact', value: 'v1' }, tenant] },
        { path, method: 'GET', headers: [{ name: 'x-api-version', type: 'RegularExpression', value: '^v2.*$' }, tenant] },
        { path, method: 'POST', headers: [{ name: 'x-api-version', type: 'Exact', value: 'v1' }, tenant] },
        { path, method: 'POST', headers: [{ name: 'x-api-version', type: 'RegularExpression', value: '^v2.*$' }, tenant] },
      ],
    }]);
    expect(one(out, 'AuthorizationPolicy').spec.requiredAuthenticationRefs)
      .toEqual([{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'allow-frontend-to-api-frontend' }]);
  });

  test('a suffix header value is an anchored regex, its text escaped', () => {
    const out = synth('linkerd', { workload: apiServer, allow: [{ name: 'bots', when: [Condition.header('user-agent', ['*.bot (v1)'])] }] });
    expect(one(out, 'HTTPRoute').spec.rules[0].matches).toEqual([{
      path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'user-agent', type: 'RegularExpression', value: '^.*\\.bot \\(v1\\)$' }],
    }]);
  });

  test('per-path methods: the operations of one rule are the matches of one HTTPRoute; other ports, another route', () => {
    const out = synth('linkerd', {
      workload: WorkloadSelector.labels({ app: 'api-server' }, { ports: [8080, 9090] }),
      allow: [{
        name: 'frontend',
        from: [Peer.serviceAccount('frontend', 'production')],
        to: [
          { methods: [HttpMethod.GET], paths: ['/api/v1/*'] },
          { methods: [HttpMethod.POST], paths: ['/api/v1/orders'] },
          { ports: [9090], paths: ['/metrics'] },
        ],
      }],
    });
    outputs['per-path-methods-linkerd'] = out;
    expect(ofKind(out, 'HTTPRoute').map(r => [r.metadata.name, r.spec.parentRefs.map((p: any) => p.name), r.spec.rules])).toEqual([
      ['api-frontend-8080-9090', ['api-8080', 'api-9090'], [{
        matches: [
          { path: { type: 'RegularExpression', value: '^/api/v1/.*$' }, method: 'GET' },
          { path: { type: 'Exact', value: '/api/v1/orders' }, method: 'POST' },
        ],
      }]],
      ['api-frontend-9090', ['api-9090'], [{ matches: [{ path: { type: 'Exact', value: '/metrics' } }] }]],
    ]);
    expect(ofKind(out, 'AuthorizationPolicy').map(p => p.spec.targetRef.name)).toEqual(['api-frontend-8080-9090', 'api-frontend-9090']);
  });

  test('identities AND source addresses: a MeshTLSAuthentication and a NetworkAuthentication, both required', () => {
    const out = synth('linkerd', {
      workload: apiServer,
      allow: [
        { name: 'office', from: [Peer.namespace('production')], when: [Condition.sourceIp(['10.0.0.0/8', '10.1.2.3', 'fd00::1'])] },
        { name: 'not-dmz', when: [Condition.negate(Condition.sourceIp(['192.168.0.0/16', 'fd00::/8']))] },
      ],
    });
    outputs['source-ip-linkerd'] = out;
    expect(one(out, 'NetworkAuthentication', 'api-office-network').spec.networks)
      .toEqual([{ cidr: '10.0.0.0/8' }, { cidr: '10.1.2.3/32' }, { cidr: 'fd00::1/128' }]);
    expect(one(out, 'AuthorizationPolicy', 'api-office-8080').spec.requiredAuthenticationRefs).toEqual([
      { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'api-office' },
      { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'api-office-network' },
    ]);
    expect(one(out, 'NetworkAuthentication', 'api-not-dmz').spec.networks)
      .toEqual([{ cidr: '0.0.0.0/0', except: ['192.168.0.0/16'] }, { cidr: '::/0', except: ['fd00::/8'] }]);
  });

  const linkerd = meshOf('linkerd');
  const jwt = { issuer: ISSUER, jwksUri: JWKS };
  test.each([
    ['JWT conditions, each named', { jwt, allow: [{ when: [Condition.claim('role', ['admin']), Condition.audience(['api'])] }] },
      'test/api: Linkerd 2.20 cannot express JWT authentication (jwt; allow[0].when[0]: Condition.claim("role", ["admin"]); '
      + 'allow[0].when[1]: Condition.audience(["api"])); validate tokens in the application or at the ingress gateway, or use Istio'],
    ['a negated header condition', { allow: [{ when: [Condition.negate(Condition.header('x-env', ['prod']))] }] },
      'test/api: Linkerd 2.20 cannot express header conditions that must not match (allow[0].when[0]: Condition.negate(Condition.header("x-env", ["prod"]))); '
      + 'a policy.linkerd.io HTTPRoute matches headers but cannot negate a match: list the values that are allowed (Condition.header), or use Istio'],
    ['a remote-IP condition', { allow: [{ when: [Condition.remoteIp(['203.0.113.0/24'])] }] },
      'test/api: Linkerd 2.20 cannot express client addresses from X-Forwarded-For (allow[0].when[0]: Condition.remoteIp(["203.0.113.0/24"])); '
      + 'Linkerd authorizes the address of the connection: use Condition.sourceIp (a NetworkAuthentication), or use Istio'],
    ['two source-IP conditions in a rule', { allow: [{ when: [Condition.sourceIp(['10.0.0.0/8']), Condition.negate(Condition.sourceIp(['10.9.0.0/16']))] }] },
      /cannot express several source address conditions in one rule \(allow\[0\]\.when\[0\]: Condition\.sourceIp\(\["10\.0\.0\.0\/8"\]\); allow\[0\]\.when\[1\]: .*\); an AuthorizationPolicy takes one NetworkAuthentication/],
    ['two conditions on one header', { allow: [{ when: [Condition.header('x-a', ['1']), Condition.header('X-A', ['2'])] }] },
      /cannot express two conditions on the header 'x-a' in rule rule-0; an HTTPRoute match considers only the first entry for a header name/],
    ['more matches than an HTTPRoute holds', {
      allow: [{
        methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE],
        paths: ['/a', '/b', '/c', '/d', '/e'],
        when: [Condition.header('x-a', ['1', '2', '3', '4', '5', '6', '7'])],
      }],
    }, /cannot express rule rule-0, which needs 140 matches in one HTTPRoute \(every method × path × header value\); an HTTPRoute holds at most 128/],
  ])('capability error: %s', (_name, props, message) => {
    expect(() => new MeshAuthorization(chart('production'), 'api', { mesh: linkerd, workload: apiServer, ...(props as object) })).toThrow(message);
  });
});

describe('rejected input', () => {
  const mesh = meshOf('istio');
  const jwt = { issuer: ISSUER, jwksUri: JWKS };
  const rule = (when: Condition[]) => ({ namespace: 'a', jwt, allow: [{ when }] });
  test.each([
    ['a header name that is no token', rule([Condition.header('x api', ['1'])]), /'allow\[0\]\.when\[0\]\.name' \("x api"\) must be a valid HTTP header name/],
    ['a header without values', rule([Condition.header('x-a', [])]), /'allow\[0\]\.when\[0\]\.values' \(\[\]\) must be non-empty/],
    ['an empty value', rule([Condition.header('x-a', [''])]), /'allow\[0\]\.when\[0\]\.values\[0\]' \(""\) must be a non-empty string/],
    ['a header value with surrounding space', rule([Condition.header('x-a', [' v1'])]), /'allow\[0\]\.when\[0\]\.values\[0\]' \(" v1"\) must be without leading or trailing white space/],
    ['a * inside a value', rule([Condition.header('x-a', ['v*1'])]), /'allow\[0\]\.when\[0\]\.values\[0\]' \("v\*1"\) must be an exact value, a prefix \(abc\*\), a suffix \(\*abc\) or \* \(any value\)/],
    ['a * at both ends', rule([Condition.claim('role', ['*adm*'])]), /'allow\[0\]\.when\[0\]\.values\[0\]' \("\*adm\*"\) must be an exact value, a prefix/],
    ['a control character', rule([Condition.presenter(['a\nb'])]), /'allow\[0\]\.when\[0\]\.values\[0\]' \("a\\nb"\) must be an exact value/],
    ['a claim name with brackets', rule([Condition.claim('a]b', ['x'])]), /'allow\[0\]\.when\[0\]\.claim' \("a\]b"\) must be a claim name \(no white space, no \[ or \]/],
    ['an empty nested claim path', rule([Condition.nestedClaim([], ['x'])]), /'allow\[0\]\.when\[0\]\.path' \(\[\]\) must be non-empty/],
    ['a subject with a slash', rule([Condition.requestPrincipal(ISSUER, 'a/b')]), /'allow\[0\]\.when\[0\]\.subject' \("a\/b"\) must be a subject: exact, a prefix/],
    ['a principal of another issuer', rule([Condition.requestPrincipal('https://other.example.com')]),
      /'allow\[0\]\.when\[0\]\.issuer' \("https:\/\/other\.example\.com"\) must be the issuer of 'jwt' \(https:\/\/auth\.example\.com\)/],
    ['a claim condition without jwt', { namespace: 'a', allow: [{ when: [Condition.claim('role', ['admin'])] }] },
      /'allow\[0\]\.when\[0\]' \("Condition\.claim\(\\"role\\", \[\\"admin\\"\]\)"\) must be used with 'jwt': only a token the policy validates has claims/],
    ['an audience condition without jwt', { namespace: 'a', deny: [{ when: [Condition.negate(Condition.audience(['api']))] }], denyByDefault: false },
      /'deny\[0\]\.when\[0\]' .* must be used with 'jwt'/],
    ['an address that is no IP', rule([Condition.sourceIp(['10.0.0.300'])]), /'allow\[0\]\.when\[0\]\.addresses\[0\]' \("10\.0\.0\.300"\) must be an IP address or a CIDR range/],
    ['a prefix length out of range', rule([Condition.remoteIp(['10.0.0.0/33'])]), /'allow\[0\]\.when\[0\]\.addresses\[0\]' \("10\.0\.0\.0\/33"\) must be an IP address or a CIDR range/],
    ['no addresses', rule([Condition.sourceIp([])]), /'allow\[0\]\.when\[0\]\.addresses' \(\[\]\) must be non-empty/],
    ['negate() of something else', rule([Condition.negate('x' as any)]), /'allow\[0\]\.when\[0\]' \("x"\) must be a Condition/],
    ['a condition that is no Condition', { namespace: 'a', allow: [{ when: [{ key: 'request.headers[x]' }] }] }, /'allow\[0\]\.when\[0\]' .* must be a Condition/],
    ['to with methods beside it', { namespace: 'a', allow: [{ methods: [HttpMethod.GET], to: [{ paths: ['/a'] }] }] },
      /'allow\[0\]\.to' .* must be set without methods, paths or ports/],
    ['an empty operation', { namespace: 'a', allow: [{ to: [{ paths: ['/a'] }, {}] }] }, /'allow\[0\]\.to\[1\]' \(\{\}\) must be at least one of methods, paths or ports/],
    ['an empty to', { namespace: 'a', allow: [{ to: [] }] }, /'allow\[0\]\.to' \(\[\]\) must be non-empty/],
    ['a bad path in an operation', { namespace: 'a', allow: [{ to: [{ paths: ['a/*/b'] }] }] }, /'allow\[0\]\.to\[0\]\.paths\[0\]' \("a\/\*\/b"\) must be an exact path/],
    ['a port of an operation the workload does not serve', { workload: WorkloadSelector.labels({ app: 'a' }, { namespace: 'a', ports: [8080] }), allow: [{ to: [{ ports: [9090] }] }] },
      /'rule rule-0: ports' \(\[9090\]\) must be among the workload's ports \(8080\)/],
    ['an output header that is no token', { namespace: 'a', jwt: { ...jwt, outputPayloadToHeader: 'x payload' } },
      /'jwt\.outputPayloadToHeader' \("x payload"\) must be a valid HTTP header name/],
    ['the payload written over the token', { namespace: 'a', jwt: { ...jwt, outputPayloadToHeader: 'Authorization' } },
      /'jwt\.outputPayloadToHeader' \("Authorization"\) must be a header the token is not read from/],
    ['the payload written over a token header', { namespace: 'a', jwt: { ...jwt, fromHeaders: [{ name: 'x-token' }], outputPayloadToHeader: 'X-Token' } },
      /'jwt\.outputPayloadToHeader' \("X-Token"\) must be a header the token is not read from/],
    ['a token header twice', { namespace: 'a', jwt: { ...jwt, fromHeaders: [{ name: 'x-token' }, { name: 'X-Token', prefix: 'Bearer ' }] } },
      /'jwt\.fromHeaders\[1\]\.name' \("X-Token"\) must be named once/],
    ['a token header without a name', { namespace: 'a', jwt: { ...jwt, fromHeaders: [{ prefix: 'Bearer ' }] } }, /'jwt\.fromHeaders\[0\]\.name' \(undefined\) must be set/],
    ['a token parameter that is no name', { namespace: 'a', jwt: { ...jwt, fromParams: ['a b'] } }, /'jwt\.fromParams\[0\]' \("a b"\) must be a query parameter name/],
    ['a claims shorthand value with a * inside', { namespace: 'a', jwt, allow: [{ claims: [{ claim: 'role', values: ['a*b'] }] }] },
      /'allow\[0\]\.claims\[0\]\.values\[0\]' \("a\*b"\) must be an exact value/],
  ])('%s', (_name, props, message) => {
    expect(() => new MeshAuthorization(chart(), 'p', { mesh, ...(props as object) })).toThrow(message);
  });
});

describe('every object above passes the validator', () => {
  itValidates('against the upstream schemas', () => {
    expect(Object.keys(outputs)).toHaveLength(9);
    expectValid(outputs);
  });
});
