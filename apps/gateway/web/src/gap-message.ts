/** The gap notice's sentence: how many quotes were lost (when known) and whose sparkline skips them. */
export function gapMessage(missed: ReadonlyMap<string, number | null>): string {
  const symbols = [...missed.keys()];
  const counts = [...missed.values()];
  const total = counts.includes(null) ? null : counts.reduce<number>((sum, n) => sum + n!, 0);
  const what = total === null ? 'Some quotes' : `${total.toLocaleString('en-US')} ${total === 1 ? 'quote' : 'quotes'}`;
  const whose = symbols.length === 1 ? `${symbols[0]}'s sparkline and chart skip` : `the sparklines and charts of ${symbols.join(', ')} skip`;
  return `${what} missed and could not be recovered: ${whose} that stretch.`;
}
