import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MemoryMonitor, MetricsRegistry } from '@patinox/monitor';
import { MappedFile, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('monitoring', () => {
  it('records lifecycle events and exposes metrics to a registry', async () => {
    const path = tmp.path('m.bin');
    writeFileSync(path, Buffer.alloc(3 * 4096));
    const monitor = new MemoryMonitor();
    const file = await MappedFile.open(path, { type: 'u8', windowBytes: 4096, monitor, name: 'table' });
    const registry = new MetricsRegistry();
    registry.addCollector(() => file.collectMetrics());
    const slice = file.asMappedSlice();
    for (let i = 0; i < 3 * 4096; i += 1) slice.get(i);
    expect(monitor.events('mmap.opened')[0]).toMatchObject({ source: 'table', data: { windowed: true, byteLength: 3 * 4096, fallback: false } });
    expect(monitor.events('mmap.window.mapped')).toHaveLength(3);
    const metric = (name: string) => registry.collect().find((m) => m.name === name);
    expect(metric('patinox_mmap_window_faults_total')).toMatchObject({ value: 3, labels: { file: 'table' } });
    expect(metric('patinox_mmap_mapped_bytes')).toMatchObject({ value: 3 * 4096 });
    expect(metric('patinox_mmap_open')).toMatchObject({ value: 1 });
    file.close();
    expect(monitor.events('mmap.closed')).toHaveLength(1);
    expect(metric('patinox_mmap_open')).toMatchObject({ value: 0 });
    expect(metric('patinox_mmap_mapped_bytes')).toMatchObject({ value: 0 });
  });

  it('survives a throwing monitor', async () => {
    const path = tmp.path('t.bin');
    writeFileSync(path, Buffer.alloc(8));
    const monitor = {
      record: () => {
        throw new Error('broken monitor');
      },
    };
    const file = await MappedFile.open(path, { type: 'u8', monitor });
    file.close();
    const writer = RecordWriter.open(tmp.path('w.bin'), { schema: { a: 'u8' }, monitor, name: 'w' });
    writer.close();
  });
});
