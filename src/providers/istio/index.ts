export * from './istio-routing';
export * from './istio-data-plane';
export * from './istio-gamma-policy';
export * from './istio-ingress';
export * from './istio-security';
