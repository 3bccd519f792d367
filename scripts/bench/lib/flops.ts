/**
 * FLOPs of a tfjs Layers model per image, from its layers (multiply and add counted as 2 FLOPs):
 * conv 2·H·W·k·k·Cin·Cout (output size), dense 2·in·out; pooling, activations and batch norm as
 * one FLOP per output element (small next to the convolutions). Training ≈ forward + gradient with
 * respect to inputs + gradient with respect to weights ≈ 3 × the forward FLOPs of conv/dense layers
 * (the first layer needs no input gradient, so 2 ×).
 */
import type * as tf from '@tensorflow/tfjs';

export interface ModelFlops {
  forwardPerImage: number;
  trainPerImage: number;
  perLayer: { name: string; kind: string; forward: number }[];
}

const prod = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((a, b) => a * (b ?? 1), 1);

export function modelFlops(model: tf.LayersModel): ModelFlops {
  const perLayer: ModelFlops['perLayer'] = [];
  let forward = 0, train = 0, firstWeighted = true;
  for (const l of model.layers) {
    const kind = l.getClassName();
    const out = l.outputShape as (number | null)[];
    let f = 0, weighted = false;
    if (kind === 'Conv2D') {
      const k = l.getWeights()[0].shape as number[]; // [kh, kw, cin, cout]
      f = 2 * prod(out.slice(1, 3)) * k[0] * k[1] * k[2] * k[3];
      weighted = true;
    } else if (kind === 'Dense') {
      const k = l.getWeights()[0].shape as number[]; // [in, out]
      f = 2 * k[0] * k[1];
      weighted = true;
    } else if (kind !== 'Flatten' && kind !== 'Dropout' && kind !== 'InputLayer') {
      f = prod(out.slice(1));
    }
    forward += f;
    train += weighted ? (firstWeighted ? 2 : 3) * f : 2 * f;
    if (weighted) firstWeighted = false;
    perLayer.push({ name: l.name, kind, forward: f });
  }
  return { forwardPerImage: forward, trainPerImage: train, perLayer };
}
