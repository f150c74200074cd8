import type { Monitor, MonitorEvent } from '@patinox/monitor';

/**
 * A monitor for the ResourceRegistry that remembers what was released, so the demo can say what it
 * cleaned however the run ended (end of the stream, Ctrl-C, or a crash in between).
 */
export class CleanupLog implements Monitor {
  readonly cleaned: string[] = [];
  readonly failed: string[] = [];

  record(event: MonitorEvent): void {
    const name = String(event.data.name);
    if (event.type === 'resource.cleaned') this.cleaned.push(name);
    else if (event.type === 'resource.failed') this.failed.push(`${name} (${String(event.data.code)}: ${String(event.data.message)})`);
  }
}
