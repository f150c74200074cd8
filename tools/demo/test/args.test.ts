import { describe, expect, it } from '@jest/globals';
import { DEFAULTS, UsageError, parseDemoArgs } from '../src/args.js';

describe('parseDemoArgs', () => {
  it('fills in the defaults', () => {
    expect(parseDemoArgs([])).toEqual({ ...DEFAULTS, metricsPort: undefined, hold: false, cache: 'cache', help: false });
  });

  it('reads every flag, with _ allowed in numbers', () => {
    expect(parseDemoArgs(['--requests', '1_000', '--records=2000', '--seed', '0', '--metrics-port', '0', '--hold', '--cache', 'shared-map'])).toEqual({
      requests: 1000,
      records: 2000,
      seed: 0,
      metricsPort: 0,
      hold: true,
      cache: 'shared-map',
      help: false,
    });
  });

  it.each([
    [['--requests', '0'], /--requests to be an integer from 1 to/],
    [['--requests', '1.5'], /--requests/],
    [['--records', 'many'], /--records/],
    [['--metrics-port', '70000'], /--metrics-port to be an integer from 0 to 65,535/],
    [['--hold'], /--hold only makes sense with --metrics-port/],
    [['--nope'], /Unknown option '--nope'/],
    [['--cache', 'redis'], /--cache to be cache or shared-map, got "redis"/],
    [['extra'], /positional/],
  ])('refuses %j with a UsageError', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(UsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});
