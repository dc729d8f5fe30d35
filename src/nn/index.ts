// nn: modules, layers and losses for building small networks.
export { Module, Sequential, Sigmoid, Tanh, ReLU, parameter, type StateDict } from './module.ts';
export { Linear, type Init, type LinearOptions } from './linear.ts';
export { saveSafetensors, loadSafetensors, type SafetensorsOptions } from './serialize.ts';
export { mseLoss, bceLoss, bceWithLogitsLoss, type Reduction, type LossOptions } from './losses.ts';
