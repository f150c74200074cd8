// @patinox/errors: a client for a flaky inventory service that branches on stable error codes and
// lets withRecovery act on each error's recovery strategy (retry, fall back, or fail).
import { PatinoxError, isPatinoxError, withRecovery } from '@patinox/errors';

class InventoryError extends PatinoxError {
  name = 'InventoryError';
}

// The "service": busy twice, then answers; an unknown SKU is a hard failure; a stale SKU has a fallback.
let calls = 0;
async function fetchStock(sku) {
  calls += 1;
  if (sku === 'SKU-404') throw new InventoryError(`Unknown SKU ${sku}`, { code: 'INVENTORY_UNKNOWN_SKU', context: { sku } });
  if (sku === 'SKU-OLD') throw new InventoryError('Warehouse offline', { code: 'INVENTORY_OFFLINE', recovery: 'fallback', context: { sku } });
  if (calls < 3) throw new InventoryError('Service busy', { code: 'INVENTORY_BUSY', recovery: 'retry', context: { sku, calls } });
  return { sku, stock: 42 };
}

const options = {
  maxAttempts: 5,
  baseDelayMs: 5,
  onRetry: (error, attempt, delayMs) => console.log(`retry ${attempt} after ${error.code}, waiting ${delayMs.toFixed(1)} ms`),
  fallback: (error) => ({ sku: error.context.sku, stock: 0, cached: true }),
};

console.log('stock', await withRecovery(() => fetchStock('SKU-1'), options));
console.log('fallback', await withRecovery(() => fetchStock('SKU-OLD'), options));

try {
  await withRecovery(() => fetchStock('SKU-404'), options);
} catch (error) {
  if (!isPatinoxError(error, 'INVENTORY_UNKNOWN_SKU')) throw error;
  console.log(`failed ${error.code} (${error.recovery}) for ${error.context.sku}: ${error.message}`);
  // toJSON() keeps code, context and the whole cause chain, ready for a structured log line.
  const wrapped = new PatinoxError('Order rejected', { code: 'ORDER_REJECTED', cause: error, context: { order: 7 } });
  const { code, context, cause } = wrapped.toJSON();
  console.log('log', JSON.stringify({ code, context, cause: { code: cause.code, context: cause.context } }));
}
