import { truncateSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { checkHealth, MemoryMonitor, MetricsRegistry } from '@patinox/monitor';
import { MappedFile, MappedRecords, MMAP_EVENTS, RecordWriter } from './public.js';
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

  it('names every event it emits in MMAP_EVENTS', async () => {
    const path = tmp.path('names.bin');
    writeFileSync(path, Buffer.alloc(2 * 4096));
    const monitor = new MemoryMonitor();
    const file = await MappedFile.open(path, { type: 'u8', windowBytes: 4096, monitor });
    file.asMappedSlice().get(4096);
    file.close();
    RecordWriter.open(tmp.path('names-w.bin'), { schema: { a: 'u8' }, monitor }).close();
    const known = new Set<string>(Object.values(MMAP_EVENTS));
    expect(monitor.events().map((e) => e.type).filter((type) => !known.has(type))).toEqual([]);
  });

  it('reports health: up while open, down once closed or after the file was truncated', async () => {
    const path = tmp.path('h.bin');
    writeFileSync(path, Buffer.alloc(2 * 4096));
    const file = await MappedFile.open(path, { type: 'u32', name: 'h' });
    const recordsPath = tmp.path('h-r.bin');
    writeFileSync(recordsPath, Buffer.alloc(64));
    const records = await MappedRecords.open(recordsPath, { schema: { a: 'u32', b: 'u32' } });
    const writer = RecordWriter.open(tmp.path('h-w.bin'), { schema: { a: 'u8' }, name: 'hw' });
    const checks = [file.healthCheck(), records.healthCheck(), writer.healthCheck()];
    expect(checks.map((c) => c.name)).toEqual(['mmap.file:h', `mmap.records:${recordsPath}`, 'mmap.writer:hw']);
    expect((await checkHealth(checks)).status).toBe('up');

    // Another process shrinks the file: the check re-stats it and poisons the views instead of letting a read fault.
    truncateSync(path, 4096);
    const report = await checkHealth([file.healthCheck()]);
    expect(report.checks[0]).toMatchObject({ status: 'down', details: { reason: 'truncated' } });
    expect(file.closed).toBe(true);
    expect(() => file.asMappedSlice()).toThrow(expect.objectContaining({ code: 'MMAP_FILE_TRUNCATED' }));

    await records[Symbol.asyncDispose]();
    await writer[Symbol.asyncDispose]();
    expect(records.closed && writer.closed).toBe(true);
    const after = await checkHealth([records.healthCheck(), writer.healthCheck()]);
    expect(after.checks.map((c) => [c.status, c.details?.reason])).toEqual([
      ['down', 'closed'],
      ['down', undefined],
    ]);
    const again = await MappedFile.open(tmp.path('h-w.bin'), { type: 'u8' });
    await again[Symbol.asyncDispose]();
    expect((await checkHealth([again.healthCheck()])).checks[0]).toMatchObject({ status: 'down', details: { reason: 'closed' } });
  });
});
