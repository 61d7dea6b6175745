// Loads the analyzer plugin from this repository's source (an installed package exports
// MeshAnalyzerPlugin from its main module: use `package: cdk8s-mesh` there).
require('ts-node').register({ project: require('path').join(__dirname, '..', 'tsconfig.json'), transpileOnly: true });
module.exports = require('../../src/analyzer/plugin');
