export * from './gamma-routing';
export * from './gateway-api-data-plane';
