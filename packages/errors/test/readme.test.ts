import { describe, expect, it, jest } from '@jest/globals';
import { PatinoxError, isPatinoxError, withRecovery } from '../src/index.js';

describe('README quick start', () => {
  it('runs as written', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    let calls = 0;
    const value = await withRecovery(
      async () => {
        calls += 1;
        if (calls < 3) throw new PatinoxError('server busy', { code: 'BUSY', recovery: 'retry' });
        return 'ok';
      },
      { maxAttempts: 5, baseDelayMs: 1 },
    );
    const err = new PatinoxError('no', { code: 'POOL_CLOSED', context: { pool: 'db' } });
    console.log(value, calls, isPatinoxError(err, 'POOL_CLOSED'), JSON.stringify(err).includes('POOL_CLOSED'));
    expect(log).toHaveBeenCalledWith('ok', 3, true, true);
    log.mockRestore();
  });
});
