import type { MetricSnapshot } from '../metrics.js';

// A histogram `x` is exported as `x_bucket` (Prometheus), `x_count` and `x_sum` (both exporters).
const HISTOGRAM_SERIES = ['_bucket', '_count', '_sum'] as const;

/**
 * The exported names (prefix included) that one collection cannot carry, each with the message of the
 * TypeError the exporters raise for it: a name collected as two kinds, one series (name and labels)
 * collected twice, a name that is one of a histogram's derived series (then both names clash), or a name
 * collected as another kind than `exportedAs` says the exporter first exported it as.
 * `MetricsRegistry` refuses all three for its own metrics; collectors are checked only here, at export.
 */
export function findMetricClashes(
  snapshots: readonly MetricSnapshot[],
  prefix: string,
  exportedAs: (name: string) => MetricSnapshot['type'] | undefined,
): Map<string, string> {
  const kinds = new Map<string, MetricSnapshot['type']>();
  const series = new Set<string>();
  const clashes = new Map<string, string>();
  for (const snapshot of snapshots) {
    const name = `${prefix}${snapshot.name}`;
    const kind = kinds.get(name);
    if (kind === undefined) {
      kinds.set(name, snapshot.type);
      // An exporter keeps the kind a name was first exported as (its instrument, its TYPE line).
      const exported = exportedAs(name);
      if (exported !== undefined && exported !== snapshot.type && !clashes.has(name)) {
        clashes.set(name, `Expected metric \`${name}\` to stay a ${exported}, as first exported, but collectors now export it as a ${snapshot.type}`);
      }
    } else if (kind !== snapshot.type) {
      if (!clashes.has(name)) clashes.set(name, `Expected metric \`${name}\` to have one kind, but collectors export it as a ${kind} and a ${snapshot.type}`);
      continue;
    }
    const labels = labelsKey(snapshot.labels);
    const key = `${name}${labels}`;
    if (!series.has(key)) series.add(key);
    else if (!clashes.has(name)) {
      clashes.set(name, `Expected metric \`${name}\` to have each series once, but ${labels === '' ? 'the series without labels' : labels} comes twice`);
    }
  }
  for (const [name, kind] of kinds) {
    if (kind !== 'histogram') continue;
    for (const suffix of HISTOGRAM_SERIES) {
      const taken = `${name}${suffix}`;
      if (!kinds.has(taken)) continue;
      const message = `Expected metric \`${taken}\` to be free, but it is the \`${taken}\` series of histogram \`${name}\``;
      if (!clashes.has(taken)) clashes.set(taken, message);
      if (!clashes.has(name)) clashes.set(name, message);
    }
  }
  return clashes;
}

// Labels in a stable order, as an exposition writes them: `{a="1",b="2"}`, or '' for none.
function labelsKey(labels: unknown): string {
  if (typeof labels !== 'object' || labels === null) return '';
  try {
    const keys = Object.keys(labels).sort();
    if (keys.length === 0) return '';
    return `{${keys.map((k) => `${k}=${JSON.stringify(String((labels as Record<string, unknown>)[k]))}`).join(',')}}`;
  } catch {
    // Labels whose getters throw cannot be compared; the exporters fail on them elsewhere.
    return '{?}';
  }
}
