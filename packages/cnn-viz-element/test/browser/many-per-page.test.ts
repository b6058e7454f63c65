// A long course page with one <cnn-visualizer> per chapter: contexts are released far off screen and
// restored when the element comes back, so the browser's limit of live WebGL contexts is never near.
import { expect } from '@esm-bundle/chai';
import type { CnnVisualizer } from '../../src/index.js';
import { SAMPLE_DIGITS, samplePixels } from '../../src/model/samples.js';
import {
  checkConsolePerTest,
  inkedFraction,
  make,
  stageCanvas,
  trackContexts,
  until,
} from './helpers/element.js';

checkConsolePerTest();

describe('many elements on one page', () => {
  it('20 elements, scrolled top to bottom and back: each draws in view, never more than 8 live contexts', async function () {
    this.timeout(300_000);
    const contexts = trackContexts();
    const warnings: string[] = [];
    const originalWarn = console.warn;
    console.warn = (...a: unknown[]) => {
      warnings.push(a.map(String).join(' '));
      originalWarn(...a);
    };
    try {
      const els: CnnVisualizer[] = [];
      for (let i = 0; i < 20; i++) {
        const chapter = document.createElement('article');
        chapter.innerHTML = `<h2>Chapter ${i + 1}</h2><p style="height:300px">Some text.</p>`;
        document.body.appendChild(chapter);
        const el = make({ tour: 'off', digit: String(i % 10) }, chapter);
        el.style.setProperty('--cnn-stage-height', '300px');
        els.push(el);
      }
      const visit = async (el: CnnVisualizer) => {
        el.scrollIntoView({ block: 'center' });
        await el.ready;
        await until(() => inkedFraction(stageCanvas(el)) > 0.01, 'the network drawn in view');
        expect(contexts.live(), 'live contexts').to.be.at.most(8);
      };
      for (const el of els) await visit(el);
      for (const el of [...els].reverse()) await visit(el);
      expect(contexts.peak, 'live contexts at any time').to.be.at.most(8);
      expect(contexts.created()).to.be.greaterThan(20); // contexts were released and re-created
      expect(warnings.filter((w) => /too many active webgl contexts/i.test(w))).to.deep.equal([]);
    } finally {
      console.warn = console.warn === originalWarn ? console.warn : originalWarn;
      contexts.restore();
      document.querySelectorAll('article').forEach((a) => a.remove());
      window.scrollTo(0, 0);
    }
  });

  it('a lost WebGL context (the GPU process restarted) is restored without a reload', async () => {
    const el = make({ loading: 'eager', tour: 'off' });
    await el.ready;
    await el.setInput(samplePixels(SAMPLE_DIGITS[4]));
    const canvas = stageCanvas(el);
    await until(() => inkedFraction(canvas) > 0.01, 'the network drawn');
    const gl = canvas.getContext('webgl2')!;
    gl.getExtension('WEBGL_lose_context')!.loseContext(); // what a GPU process crash does
    await until(() => gl.isContextLost(), 'the context lost');
    // the element draws again, on a live context, with the same network
    await until(() => {
      const now = stageCanvas(el);
      const ctx = now.getContext('webgl2');
      return !!ctx && !ctx.isContextLost() && inkedFraction(now) > 0.01;
    }, 'the network drawn again');
    expect((await el.setInput(samplePixels(SAMPLE_DIGITS[7]))).prediction).to.equal(SAMPLE_DIGITS[7].label);
  });
});
