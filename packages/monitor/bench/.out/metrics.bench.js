import Benchmark from 'benchmark';
import { Counter as PromCounter, Histogram as PromHistogram, Registry } from 'prom-client';
import { Counter, Histogram } from '@patinox/monitor';
// Recording cost of @patinox/monitor metrics against prom-client and a bare field increment.
// Values cycle through a precomputed array so every case pays the same input cost.
const values = new Float64Array(4096);
for (let i = 0; i < values.length; i += 1)
    values[i] = Math.exp(Math.random() * 10) / 10;
let cursor = 0;
const histogram = new Histogram();
const counter = new Counter();
const registry = new Registry();
const promHistogram = new PromHistogram({ name: 'h', help: 'h', registers: [registry] });
const promCounter = new PromCounter({ name: 'c', help: 'c', registers: [registry] });
const plain = { value: 0 };
const results = new Map();
const options = { minSamples: 40, maxTime: 2 };
new Benchmark.Suite('metrics')
    .add('plain field increment (baseline)', () => {
    plain.value += values[cursor++ & 4095];
}, options)
    .add('patinox Histogram.record', () => {
    histogram.record(values[cursor++ & 4095]);
}, options)
    .add('prom-client Histogram.observe', () => {
    promHistogram.observe(values[cursor++ & 4095]);
}, options)
    .add('patinox Counter.inc', () => {
    counter.inc(values[cursor++ & 4095]);
}, options)
    .add('prom-client Counter.inc', () => {
    promCounter.inc(values[cursor++ & 4095]);
}, options)
    .on('cycle', (event) => {
    const b = event.target;
    results.set(b.name, b.hz);
    console.log(`${b.name.padEnd(36)} ${(1e9 / b.hz).toFixed(1).padStart(8)} ns/op  ${Math.round(b.hz).toLocaleString('en-US').padStart(14)} ops/s  ±${b.stats.rme.toFixed(1)}%`);
})
    .on('complete', () => {
    const ns = (name) => 1e9 / results.get(name);
    console.log('');
    console.log(`Histogram.record vs prom-client observe: ${(ns('prom-client Histogram.observe') / ns('patinox Histogram.record')).toFixed(1)}x cheaper`);
    console.log(`Counter.inc vs prom-client inc:          ${(ns('prom-client Counter.inc') / ns('patinox Counter.inc')).toFixed(1)}x cheaper`);
    console.log(`(sink ${plain.value > 0 ? 'ok' : ''} ${histogram.count + counter.value > 0 ? 'ok' : ''})`);
})
    .run();
