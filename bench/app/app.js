// The search app's page: the drawing pad, the controls and the results. The index
// lives in bench/app/worker.js; messages to it are { type: 'open', storage, simd },
// { type: 'search', id, query, k, ef } and { type: 'testDigit', id, which }; it answers
// 'progress', 'ready', 'results', 'testDigit', 'note' and 'error'. window.app exposes
// the state for the headless test (test/app.test.ts).
import { simdSupported } from '../../dist/wann.browser.js';
import { paintDigit, toDigit } from './digit.js';

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const app = (window.app = { ready: false, opened: null, results: null, errors: [], query: null });
let nextId = 0;
const waiting = new Map();

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch((error) => note(`offline cache unavailable: ${error.message}`));
}

// --- drawing -------------------------------------------------------------------------
const ink = pad.getContext('2d', { willReadFrequently: true });
function clearPad() {
  ink.fillStyle = 'black';
  ink.fillRect(0, 0, pad.width, pad.height);
}
clearPad();
let last = null;
pad.addEventListener('pointerdown', (event) => {
  pad.setPointerCapture(event.pointerId);
  last = point(event);
  stroke(last, last);
});
pad.addEventListener('pointermove', (event) => {
  if (!last) return;
  const next = point(event);
  stroke(last, next);
  last = next;
  searchSoon();
});
pad.addEventListener('pointerup', () => {
  last = null;
  searchDrawing();
});
function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * (pad.width / box.width), (event.clientY - box.top) * (pad.height / box.height)];
}
function stroke(from, to) {
  ink.strokeStyle = 'white';
  ink.lineWidth = 22;
  ink.lineCap = ink.lineJoin = 'round';
  ink.beginPath();
  ink.moveTo(...from);
  ink.lineTo(...to);
  ink.stroke();
}

// --- talking to the worker -----------------------------------------------------------
function ask(message) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  });
}
worker.onmessage = ({ data }) => {
  if (data.id !== undefined && waiting.has(data.id)) {
    const { resolve, reject } = waiting.get(data.id);
    waiting.delete(data.id);
    return data.type === 'error' ? reject(new Error(data.text)) : resolve(data);
  }
  if (data.type === 'progress') return showProgress(data);
  if (data.type === 'ready') return onReady(data);
  if (data.type === 'note') return note(data.text);
  if (data.type === 'error') return fail(data.text);
};
worker.onerror = (event) => fail(`the worker failed: ${event.message}`);

function showProgress({ phase, done, total }) {
  const bar = $('progress');
  bar.hidden = false;
  bar.max = total;
  bar.value = done;
  $('status').textContent = `Building the index in a Worker: ${phase} ${done.toLocaleString()} / ${total.toLocaleString()}…`;
}

function onReady(data) {
  $('progress').hidden = true;
  const memory = `${(data.memoryBytes / 1e6).toFixed(1)} MB of WASM memory`;
  const what = `${data.size.toLocaleString()} digits, ${data.storage} rows, ${data.build} build, ${memory}`;
  $('status').textContent = data.how === 'opened' ? `Opened from OPFS in ${data.ms.toFixed(0)} ms: ${what}.`
    : data.how === 'built' ? `Built in ${(data.ms / 1000).toFixed(1)} s (${data.saved} in ${data.saveMs.toFixed(0)} ms): ${what}.`
      : `Ready: ${what}.`;
  app.opened = data;
  app.ready = true;
  if (app.query) search(app.query);
}

function openIndex() {
  app.ready = false;
  $('status').textContent = 'Opening the index…';
  worker.postMessage({ type: 'open', storage: $('storage').value, simd: document.querySelector('input[name=build]:checked').value === 'simd' });
}

// --- searching -----------------------------------------------------------------------
let timer;
function searchSoon() {
  clearTimeout(timer);
  timer = setTimeout(searchDrawing, 60);
}
function searchDrawing() {
  const digit = toDigit(pad);
  if (digit) search(digit);
}

let inFlight = false, queued = null;
async function search(query) {
  app.query = query;
  if (!app.ready) return;
  if (inFlight) return void (queued = query);
  inFlight = true;
  try {
    const results = await ask({ type: 'search', query, k: Number($('k').value), ef: Number($('ef').value) });
    showResults(results);
  } catch (error) {
    fail(error.message);
  } finally {
    inFlight = false;
    if (queued) {
      const next = queued;
      queued = null;
      search(next);
    }
  }
}

function showResults(results) {
  app.results = results;
  const list = $('neighbours');
  list.replaceChildren();
  results.ids.forEach((id, i) => {
    const item = document.createElement('li');
    const picture = document.createElement('canvas');
    picture.width = picture.height = 56;
    paintDigit(picture, results.images.subarray(i * 784, (i + 1) * 784));
    item.append(picture, `#${id}`, document.createElement('br'), `d = ${Math.sqrt(results.distances[i]).toFixed(0)}`);
    list.append(item);
  });
  const micros = results.ms * 1000;
  $('summary').textContent = `${results.ids.length} nearest of 10,000 in ${micros < 1000 ? `${micros.toFixed(0)} µs` : `${results.ms.toFixed(2)} ms`}`
    + ` (ef ${results.ef}, ${results.build}, ${results.storage}); d is the Euclidean distance in pixel units`;
}

function note(text) {
  $('status').textContent = text;
}
function fail(text) {
  app.errors.push(text);
  $('status').textContent = `Error: ${text}`;
}

// --- controls ------------------------------------------------------------------------
for (const name of ['k', 'ef']) {
  $(name).addEventListener('input', () => {
    $(`${name}-out`).textContent = $(name).value;
    if (app.query) search(app.query);
  });
}
$('storage').addEventListener('change', openIndex);
for (const radio of document.querySelectorAll('input[name=build]')) radio.addEventListener('change', openIndex);
if (!simdSupported()) {
  const simd = document.querySelector('input[value=simd]');
  simd.disabled = true;
  document.querySelector('input[value=scalar]').checked = true;
  simd.parentElement.title = 'this browser has no WebAssembly SIMD';
}
$('clear').addEventListener('click', () => {
  clearPad();
  app.query = null;
  app.results = null;
  $('neighbours').replaceChildren();
  $('summary').textContent = 'Your nearest digits appear here';
});
let testDigits = 0;
$('test-digit').addEventListener('click', () => showTestDigit(testDigits++));

/** Puts test digit `which` (of MNIST's test set) on the pad and searches it. */
async function showTestDigit(which) {
  const { pixels } = await ask({ type: 'testDigit', which });
  clearPad();
  paintDigit(pad, pixels);
  await search(Float32Array.from(pixels));
}
app.showTestDigit = showTestDigit;
app.search = search;

openIndex();
