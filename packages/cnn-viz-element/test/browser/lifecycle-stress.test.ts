// Moved, removed and re-added again and again, as a page editor or a framework would: live WebGL
// contexts never grow and the heap stays flat. Its own file: it takes a while on a software GPU.
import { expect } from '@esm-bundle/chai';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import { checkConsolePerTest, make, trackContexts, until } from './helpers/element.js';

checkConsolePerTest();

const sample = (label: number) => samplePixels(SAMPLE_DIGITS.find((s) => s.label === label)!);

describe('moving and removing the element many times', () => {
  it('moved, removed and re-added 50 times: no growth in live contexts, heap growth under 10 MB', async function () {
    this.timeout(560_000);
    const contexts = trackContexts();
    const other = document.createElement('section');
    document.body.appendChild(other);
    const heap = () => {
      (globalThis as { gc?: () => void }).gc?.();
      return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
    };
    try {
      const el = make({ loading: 'eager', tour: 'off' });
      await el.ready;
      await el.setInput(sample(2));
      let before = 0;
      for (let i = 0; i < 50; i++) {
        if (i === 5) before = heap();
        const t0 = performance.now(); // after the first cycles have filled the caches that are meant to stay
        (i % 2 ? document.body : other).appendChild(el); // a move
        el.remove(); // then a removal: everything is released within a second
        await until(() => contexts.live() === 0, 'the context to be released', 2000);
        document.body.appendChild(el); // re-added: it starts again and draws (loading may go on)
        await until(() => contexts.live() === 1, 'one live context again', 10_000);
        if (i % 10 === 0) console.log(`cycle ${i}: ${Math.round(performance.now() - t0)} ms`);
      }
      await el.ready;
      expect((await el.setInput(sample(8))).prediction).to.equal(8);
      expect(contexts.peak, 'live contexts at any time').to.equal(1);
      expect((heap() - before) / 1e6, 'heap growth over 45 cycles (MB)').to.be.lessThan(10);
    } finally {
      contexts.restore();
      other.remove();
    }
  });
});
