export * from './istio-routing';
export * from './istio-data-plane';
export * from './istio-gamma-policy';
export * from './istio-ingress';
export * from './istio-security';
export * from './ambient-waypoint';
export * from './istio-install';
