/** Index of the largest value (the first, on ties): the predicted class. −1 for an empty list. */
export function argmax(values: ArrayLike<number>): number {
  let best = values.length ? 0 : -1;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
