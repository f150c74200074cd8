export { runConformance } from './conformance.js';
export type { ConformanceTarget } from './conformance.js';
export type { BackendTarget } from './backend-suite.js';
export type { TierTarget } from './tier-suite.js';
export type { PolicyTarget } from './policy-suite.js';
export type { ConformanceExpect, ConformanceMatchers, TestBody, TestFramework } from './framework.js';
