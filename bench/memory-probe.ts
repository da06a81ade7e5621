// Loaded into the soak's server process with --import: on SIGUSR2 it collects garbage (when
// started with --expose-gc) and prints the heap as one line the soak reads from stdout. After a
// full collection heapUsed is what the process really keeps, so samples can be compared.
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
  process.stdout.write(`SOAK_MEMORY ${JSON.stringify({ rss, heapUsed, heapTotal, external, gc: !!gc })}\n`)
})
