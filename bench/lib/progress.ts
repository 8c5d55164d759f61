/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export function progress(label: string, total: number) {
  const tty = process.stderr.isTTY
  const started = Date.now()
  let done = 0
  let lastPrinted = -1
  const draw = (final = false) => {
    const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : 100
    if (!tty && !final && pct - lastPrinted < 25) return
    lastPrinted = pct
    const width = 24
    const filled = Math.round((pct / 100) * width)
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    const line = `${label.padEnd(14)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total} ${secs}s`
    process.stderr.write(tty ? `\r${line}${final ? '\n' : ''}` : `${line}\n`)
  }
  return {
    tick(n: number) {
      done += n
      draw()
    },
    end() {
      done = total
      if (tty || lastPrinted < 100) draw(true)
    },
  }
}
