/**
 * The narrated tour as data: one step per layer of the model (plus an overview and the verdict),
 * each with a short explanation written for a curious student, the layers the camera frames and
 * the animation to play. Derived from the layer list, so a different network gets its own tour.
 */
import { layerSize, type LayerDescription, type ModelDescription } from '../model/description.js';

export type Effect =
  /** Everything at a glance; nothing computed yet. */
  | 'overview'
  /** Cubes fill in row by row. */
  | 'fill'
  /** A window sweeps the layer it reads, each output cube lighting up (convolution, pooling). */
  | 'sweep'
  /** Each unit lights up while the whole layer before it is highlighted (dense). */
  | 'fan-in'
  /** Bars grow to their probabilities. */
  | 'rise'
  /** The winner is highlighted. */
  | 'verdict';

export interface TourStep {
  id: string;
  title: string;
  text: string;
  /** The layer this step computes (absent for the overview). */
  layer?: string;
  /** Layers the camera frames. */
  frame: string[];
  effect: Effect;
  /** At speed 1. */
  durationMs: number;
  /** The model's own words, kept when a page replaces `title`/`text` (`<cnn-step>`). */
  original?: { title: string; text: string };
}

const dims = (shape: number[]) => shape.join('×');

function describe(
  l: LayerDescription,
  from: LayerDescription | undefined,
  seen: Map<string, number>,
): Omit<TourStep, 'id' | 'frame' | 'layer'> {
  const nth = (seen.get(l.kind) ?? 0) + 1;
  seen.set(l.kind, nth);
  const again = nth > 1;
  const inShape = from ? dims(from.shape) : '';
  switch (l.kind) {
    case 'input':
      return {
        title: 'Your drawing',
        text: `Your drawing, shrunk to ${dims(l.shape.slice(-2))} pixels and centred the way the training digits were. Each cube is one pixel: the redder and taller, the more ink; grey is blank paper. This is all the network ever sees.`,
        effect: 'fill',
        durationMs: 3500,
      };
    case 'conv': {
      const [c] = l.shape;
      const k = l.kernel ?? 1;
      return {
        title: again ? `Convolution ${nth}: combining features` : 'Convolution: looking for patterns',
        text: again
          ? `${c} new filters, each ${k}×${k} and looking through all ${from?.shape[0] ?? ''} maps at once, combine simple strokes into parts of digits: curves, corners, crossings. Each output cube sums one window of the ${inShape} layer, weighted by what the filter learned.`
          : `${c} small filters of ${k}×${k} weights slide over the image. At each position a filter multiplies the pixels under it by its weights and adds them up: red means the pattern it looks for is there, blue means its opposite, grey is zero; taller is stronger. Each filter makes one map: ${dims(l.shape)} in all.`,
        effect: 'sweep',
        durationMs: again ? 5500 : 6500,
      };
    }
    case 'relu':
      return {
        title: again ? 'ReLU again' : 'ReLU: keep the positives',
        text: again
          ? 'Negative values are set to zero again, so only evidence that something is there moves on.'
          : 'ReLU replaces every negative value with zero and keeps the positive ones: blue cubes turn grey, red ones stay. It is what lets a network learn more than straight lines: "this pattern is present" passes, "absent" is silenced.',
        effect: 'fill',
        durationMs: 2500,
      };
    case 'maxpool':
      return {
        title: again ? 'Pooling again' : 'Max pooling: shrink, keep the strongest',
        text: again
          ? `Another ${l.kernel}×${l.kernel} pooling halves each map to ${dims(l.shape.slice(-2))}: what matters now is which features are present, not exactly where.`
          : `Each ${l.kernel}×${l.kernel} window of a map collapses into its largest value. The maps shrink to ${dims(l.shape.slice(-2))} but keep the strongest responses, so a stroke drawn a little to the side still counts.`,
        effect: 'sweep',
        durationMs: 4000,
      };
    case 'flatten':
      return {
        title: 'Flatten',
        text: `The ${inShape} maps are laid out as one list of ${l.shape[0]} numbers — the same values, in a row — so that every following neuron can look at all of them.`,
        effect: 'fill',
        durationMs: 3000,
      };
    case 'dense':
      return {
        title: again ? `Dense layer ${nth}` : 'Dense layer: every input votes',
        text: again
          ? `${l.shape[0]} more neurons, each weighing all ${from?.shape[0] ?? ''} outputs of the layer before.${l.shape[0] <= 10 ? ' One per digit: these are the raw scores.' : ''}`
          : `Each of the ${l.shape[0]} neurons looks at all ${from?.shape[0] ?? ''} numbers of the layer before, multiplies each by a learned weight and adds them up. Watch them light up one by one as they gather the evidence.`,
        effect: 'fan-in',
        durationMs: 4500,
      };
    case 'softmax':
    case 'logsoftmax':
      return {
        title: 'Softmax: scores become probabilities',
        text: `Softmax turns the ${l.shape[0]} scores into probabilities that add up to 100%: the bigger a score compared to the others, the redder and taller its bar.`,
        effect: 'rise',
        durationMs: 3500,
      };
    case 'batchnorm':
      return {
        title: again ? 'Batch normalisation again' : 'Batch normalisation: rescale each map',
        text: 'Each map is shifted and rescaled by numbers learned in training, so that its values stay in a range the next layer works well with. The pattern of each map does not change, only its scale.',
        effect: 'fill',
        durationMs: 2500,
      };
    case 'leakyrelu':
      return {
        title: again ? 'Leaky ReLU again' : 'Leaky ReLU: shrink the negatives',
        text: `Positive values pass unchanged; negative ones are multiplied by a small slope (${l.alpha ?? 0.01}), so "absent" is quietened but not silenced.`,
        effect: 'fill',
        durationMs: 2500,
      };
    case 'sigmoid':
    case 'tanh':
      return {
        title: l.kind === 'tanh' ? 'Tanh: squash into −1…1' : 'Sigmoid: squash into 0…1',
        text:
          l.kind === 'tanh'
            ? 'Every value is squashed into the range −1 to 1: large positives come close to 1, large negatives close to −1, and values near zero barely change.'
            : 'Every value is squashed into the range 0 to 1: large positives come close to 1, large negatives close to 0.',
        effect: 'fill',
        durationMs: 2500,
      };
    case 'avgpool':
      return {
        title: again ? 'Average pooling again' : 'Average pooling: shrink by averaging',
        text: `Each window of a map is replaced by the average of its values. The maps shrink to ${dims(l.shape.slice(-2))}, keeping how strongly a feature is present around each place.`,
        effect: 'sweep',
        durationMs: 4000,
      };
    case 'globalavgpool':
    case 'globalmaxpool':
      return {
        title: 'Global pooling: one number per map',
        text: `Each whole map collapses into one number — its ${l.kind === 'globalavgpool' ? 'average' : 'largest value'} — telling how strongly that feature appears anywhere in the drawing: ${l.shape[0]} numbers in all.`,
        effect: 'fill',
        durationMs: 3000,
      };
    default:
      return {
        title: l.label ?? l.name,
        text: `This layer computes ${dims(l.shape)} numbers from the ${inShape} layer before it.`,
        effect: 'fill',
        durationMs: 3000,
      };
  }
}

export function buildTour(model: ModelDescription): TourStep[] {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const seen = new Map<string, number>();
  const steps: TourStep[] = [
    {
      id: 'overview',
      title: 'A convolutional network',
      text: `This is the whole network: ${model.layers.length} layers, ${model.layers
        .reduce((a, l) => a + layerSize(l), 0)
        .toLocaleString(
          'en',
        )} numbers, one cube each. Your drawing enters on the left; the answer comes out on the right. Let's follow it.`,
      frame: [],
      effect: 'overview',
      durationMs: 4500,
    },
  ];
  for (const l of model.layers) {
    const from = l.from ? byName.get(l.from) : undefined;
    steps.push({
      id: l.name,
      layer: l.name,
      frame: from ? [from.name, l.name] : [l.name],
      ...describe(l, from, seen),
    });
  }
  const last = model.layers[model.layers.length - 1];
  steps.push({
    id: 'verdict',
    title: 'The answer',
    text: 'The tallest, reddest bar is the network\u2019s answer. Point at (or tap) any cube to see how it was computed from the layer before; press “What mattered?” to see which of your pixels drove the answer; draw again and every layer updates live.',
    layer: last.name,
    // the scores and the probabilities, close enough to read the answer
    frame: last.from ? [last.from, last.name] : [last.name],
    effect: 'verdict',
    durationMs: 4000,
  });
  const moments = model.checkpoints;
  if (moments && moments.length >= 2) {
    const pct = (a: number) => `${(a * 100).toFixed(a >= 0.99 ? 1 : 0)}%`;
    steps.push({
      id: 'training',
      title: 'How did it learn this?',
      text: `Nobody wrote these numbers by hand. Training began with random weights — a guess, ${pct(moments[0].testAccuracy)} of test digits right — and after each batch of examples nudged every weight to make the right answer a little more likely. Watch your drawing go through the same network at ${moments.length} moments of its training: ${moments.map((m) => pct(m.testAccuracy)).join(' → ')} right. Scrub the “How it learned” slider yourself; its small squares are the first layer’s filters, growing from noise into stroke detectors.`,
      layer: last.name,
      // the whole network: every layer changes as the moments play
      frame: [],
      effect: 'verdict',
      // each moment about 1.3 s, then time to read
      durationMs: 1300 * moments.length + 3000,
    });
  }
  return steps;
}
