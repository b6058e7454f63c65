/**
 * A React 19 course page: two visualisers in a keyed list that the reader can reorder and hide, with
 * their attributes, the `backend` property and the event listeners bound the React way.
 */
import 'cnn-visualizer';
import type { PredictionDetail } from 'cnn-visualizer';
import { useState } from 'react';
import { CNN_BASE } from '../base.ts';
import { countedBackend } from '../counted-backend.ts';

window.hostBackends = { b: countedBackend(CNN_BASE) };

type Id = 'a' | 'b';
interface Seen {
  ready: number;
  readyBackend: string;
  predictions: number;
  prediction?: number;
}

export function App() {
  const [order, setOrder] = useState<Id[]>(['a', 'b']);
  const [shown, setShown] = useState(true);
  const [theme, setTheme] = useState<'light' | 'dark'>('light');
  const [tour, setTour] = useState<'off' | 'manual'>('off');
  const [bCustom, setBCustom] = useState(true);
  const [seen, setSeen] = useState<Record<Id, Seen>>({
    a: { ready: 0, readyBackend: '', predictions: 0 },
    b: { ready: 0, readyBackend: '', predictions: 0 },
  });
  const update = (id: Id, change: (s: Seen) => Partial<Seen>) =>
    setSeen((all) => ({ ...all, [id]: { ...all[id], ...change(all[id]) } }));

  return (
    <main>
      <h1>Week 3: convolutions</h1>
      <nav>
        <button id="reverse" onClick={() => setOrder((o) => [...o].reverse())}>
          Reverse
        </button>
        <button id="toggle" onClick={() => setShown((s) => !s)}>
          {shown ? 'Hide' : 'Show'} the visualisers
        </button>
        <button id="theme" onClick={() => setTheme((t) => (t === 'light' ? 'dark' : 'light'))}>
          Theme
        </button>
        <button id="tour" onClick={() => setTour((t) => (t === 'off' ? 'manual' : 'off'))}>
          Tour
        </button>
        <button id="swap-backend" onClick={() => setBCustom((c) => !c)}>
          B on {bCustom ? 'the page' : 'its own backend'}
        </button>
      </nav>
      <ul>
        {shown &&
          order.map((id) => (
            <li key={id} data-id={id}>
              <p>
                <span className="ready" data-count={seen[id].ready}>
                  {seen[id].readyBackend}
                </span>{' '}
                <output className="prediction" data-count={seen[id].predictions}>
                  {seen[id].prediction ?? '–'}
                </output>
              </p>
              <cnn-visualizer
                loading="eager"
                model-url={`${CNN_BASE}cnn.json`}
                wasm-path={CNN_BASE}
                theme={theme}
                tour={tour}
                backend={id === 'b' && bCustom ? window.hostBackends.b : 'local'}
                oncnn-ready={(e) =>
                  update(id, (s) => ({ ready: s.ready + 1, readyBackend: e.detail.backend }))
                }
                oncnn-prediction={(e) =>
                  update(id, (s) => ({ predictions: s.predictions + 1, prediction: e.detail.prediction }))
                }
              />
            </li>
          ))}
      </ul>
    </main>
  );
}

// How a TypeScript React app declares a custom element's props (React 19 sets the ones the element
// has as properties, the others as attributes, and listens to `on<event-name>` props)
declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'cnn-visualizer': React.HTMLAttributes<HTMLElement> & {
        loading?: 'lazy' | 'eager';
        'model-url'?: string;
        'wasm-path'?: string;
        theme?: 'light' | 'dark';
        tour?: 'auto' | 'manual' | 'off';
        backend?: string | import('cnn-visualizer').InferenceBackend;
        'oncnn-ready'?: (e: CustomEvent<{ backend: string }>) => void;
        'oncnn-prediction'?: (e: CustomEvent<PredictionDetail>) => void;
      };
    }
  }
}
