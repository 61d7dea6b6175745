export * from './gamma-routing';
export * from './gateway-api-data-plane';
export * from './gateway-api-ingress';
export * from './reference-grants';
export * from './gateway-api-security';
