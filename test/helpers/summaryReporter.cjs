// Prints the plain closing line CI reads: "N passed, N failed" (", N skipped" when any).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`
    process.stdout.write(`\nTests: ${line}\n`)
  }
}
module.exports = SummaryReporter
