/**
 * The calendar functions of a Unix time in seconds, in UTC (Prometheus truncates to whole
 * seconds first). NaN and infinities give NaN.
 */
function utc(seconds: number): Date | undefined {
  return Number.isFinite(seconds) ? new Date(Math.trunc(seconds) * 1000) : undefined;
}

const of =
  (f: (d: Date) => number) =>
  (seconds: number): number => {
    const d = utc(seconds);
    return d ? f(d) : NaN;
  };

export const DATE_FUNCTIONS: Readonly<Record<string, (seconds: number) => number>> = {
  minute: of((d) => d.getUTCMinutes()),
  hour: of((d) => d.getUTCHours()),
  day_of_week: of((d) => d.getUTCDay()),
  day_of_month: of((d) => d.getUTCDate()),
  day_of_year: of((d) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1),
  days_in_month: of((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  month: of((d) => d.getUTCMonth() + 1),
  year: of((d) => d.getUTCFullYear()),
};
