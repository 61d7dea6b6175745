export * from './istio-routing';
export * from './istio-data-plane';
export * from './ambient-waypoint';
export * from './istio-install';
