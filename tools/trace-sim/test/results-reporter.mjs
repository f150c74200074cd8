// node:test reporter that writes the totals in the shape of jest's --json output
// ({ numPassedTests, numFailedTests, ... }), so the CI count includes this tool's tests.
export default async function* resultsReporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    // Only leaf tests count (suites report their own pass/fail too, with nesting > 0 children).
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite') passed += 1;
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') failed += 1;
  }
  yield `${JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numRuntimeErrorTestSuites: 0, success: failed === 0 })}\n`;
}
