export * from './linkerd-data-plane';
export * from './linkerd-policy-routing';
export * from './linkerd-route-policy';
export * from './smi-routing';
export * from './linkerd-security';
export * from './linkerd-install';
