export * from './helm-releases';
