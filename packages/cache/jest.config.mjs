import jestConfig from '../../jest.base.mjs';

export default jestConfig({
  globalSetup: '<rootDir>/test/setup/cluster-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/cluster-teardown.mjs',
});
