/**
 * Legend: what the colours of the layer in focus mean, with its real numbers.
 *
 * Adds to `<cnn-visualizer>`: `part="legend"` in the stage: the layer in focus (the cube being
 * explained, else the tour's step, else the answer), its colour bar exactly as its cubes are
 * coloured, and this drawing's minimum, 0 and maximum for that layer (the input in ink 0–255).
 */
import { html, nothing } from 'lit';
import type { Activations } from '../inference/activations.js';
import type { ModelDescription } from '../model/description.js';
import { legendFor } from '../render/colormap.js';

export function renderLegend(
  model: ModelDescription | undefined,
  acts: Activations | null,
  layer: string | undefined,
  theme: 'light' | 'dark',
) {
  if (!model || !acts) return nothing;
  const name = layer ?? acts.layers[acts.layers.length - 1].name;
  const l = acts.layers.find((x) => x.name === name);
  if (!l) return nothing;
  const legend = legendFor(l.kind, l.data, {
    theme,
    normalization: l.kind === 'input' ? model.input.normalization : undefined,
    ink: model.input.ink,
  });
  const label = model.layers.find((x) => x.name === name)?.label ?? name;
  return html`<div
    class="legend"
    part="legend"
    role="img"
    aria-label="Colours of ${label}: ${legend.caption}, from ${legend.labels.min} to ${legend.labels.max}"
  >
    <div class="legend-title"><strong>${label}</strong> ${legend.caption}</div>
    <div class="legend-bar" style="background:${legend.gradient}"></div>
    <div class="legend-ticks">
      ${legend.ticks.map(
        (t) =>
          html`<span
            style="left:${(t.offset * 100).toFixed(1)}%;transform:translateX(${t.align === 'start' ? '0' : t.align === 'end' ? '-100%' : '-50%'})"
            >${t.label}</span
          >`,
      )}
    </div>
  </div>`;
}
