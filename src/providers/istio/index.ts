export * from './istio-routing';
export * from './istio-data-plane';
export * from './istio-security';
