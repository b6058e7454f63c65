/**
 * The home page's choice between the two networks we ship: LeNet-5 (the element's default model, which
 * the server also runs) and the small VGG (three 3×3 convolutions with batch normalisation and average
 * pooling; it runs in the page, since the server runs LeNet-5 only). Choosing sets the element's
 * `model-url` (and `backend`); the address keeps the choice as `?network=small-vgg` (absent: LeNet-5).
 * Once the chosen network is ready, a line under the choice says what it is, from its own description.
 */
import type { CnnVisualizer } from 'cnn-visualizer';
import { layerSize } from 'cnn-visualizer/description';

export interface ShippedNetwork {
  /** The `?network=` value. */
  id: string;
  /** For people: "our LeNet-5", "Back to our …". */
  name: string;
  /** The description the element loads (served by our server next to the drop-in bundle). */
  modelUrl: string;
  /** The backend it needs; null: whatever the page asked for (`auto`: the server when it answers). */
  backend: string | null;
}

export const NETWORKS: readonly ShippedNetwork[] = [
  { id: 'lenet5', name: 'LeNet-5', modelUrl: '/cdn/cnn.json', backend: null },
  { id: 'small-vgg', name: 'small VGG', modelUrl: '/cdn/small-vgg/cnn.json', backend: 'local' },
];

const byId = (id: string | null) => NETWORKS.find((n) => n.id === id) ?? NETWORKS[0];

export interface NetworkChoiceElements {
  viz: CnnVisualizer;
  /** The radio buttons, one per network, `value` = its id. */
  radios: HTMLInputElement[];
  status: HTMLElement;
  /** Whether the element shows one of our networks (not a reader's own model). */
  showsOurs: () => boolean;
}

export interface NetworkChoice {
  /** The network chosen (LeNet-5 until another is). */
  readonly current: ShippedNetwork;
  /** The element's attributes for the chosen network (a null value: the attribute goes). */
  attributes(): { 'model-url': string; backend: string | null };
  /** Chooses a network (an unknown id: LeNet-5) and shows it. */
  choose(id: string | null): void;
}

export function networkChoice(
  { viz, radios, status, showsOurs }: NetworkChoiceElements,
  onChange: (network: ShippedNetwork) => void,
): NetworkChoice {
  let current = NETWORKS[0];
  // what the page itself asked of the element (its HTML, the address): LeNet-5 keeps it
  let pageBackend = viz.getAttribute('backend');

  const attributes = () => ({
    'model-url': current.modelUrl,
    backend: current.backend ?? pageBackend,
  });

  function apply() {
    for (const [name, value] of Object.entries(attributes())) {
      if (value === null) viz.removeAttribute(name);
      else viz.setAttribute(name, value);
    }
  }

  function choose(id: string | null) {
    const next = byId(id);
    // while LeNet-5 shows, the element's backend is the page's choice (its HTML, `?backend=`)
    if (current === NETWORKS[0] && showsOurs()) pageBackend = viz.getAttribute('backend');
    const changed = next !== current || !showsOurs();
    current = next;
    for (const r of radios) r.checked = r.value === next.id;
    if (!changed) return;
    status.textContent = `Loading our ${next.name}…`;
    apply();
    onChange(next);
  }

  for (const r of radios) r.addEventListener('change', () => r.checked && choose(r.value));

  viz.addEventListener('cnn-ready', (e) => {
    const { model } = e.detail;
    // a reader's own model is not ours to describe ("Try your own model" does)
    if (!showsOurs()) {
      status.textContent = '';
      return;
    }
    // counted as the tour and the page's introduction count them: the input is a layer too
    const activations = model.layers.reduce((sum, l) => sum + layerSize(l), 0);
    const accuracy = model.metrics
      ? `, ${(model.metrics.testAccuracy * 100).toFixed(2)}% on MNIST's test set`
      : '';
    status.textContent =
      `Our ${current.name}: ${model.layers.length} layers, ${activations.toLocaleString('en')} activations` +
      `${accuracy}.`;
  });

  return {
    get current() {
      return current;
    },
    attributes,
    choose,
  };
}
