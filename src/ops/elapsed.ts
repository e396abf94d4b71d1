/** Seconds since `started` (`process.hrtime.bigint()`), to one decimal, as every progress line shows them. */
export function secondsSince(started: bigint): string {
  return (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
}
