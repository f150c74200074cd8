import jestConfig from '../../jest.base.mjs';

export default jestConfig({ globalSetup: '<rootDir>/test/global-setup.mjs' });
