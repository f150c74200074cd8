// Tests import the package through its public entry, as users do.
export * from '../src/index.js';
