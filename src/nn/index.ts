// nn: modules, layers and losses for building small networks.
export { Module, type AnyModule, Sequential, ModuleList, Sigmoid, Tanh, ReLU, Softmax, LogSoftmax, Flatten, Dropout, parameter, type StateDict, type StateDictInput } from './module.ts';
export { Linear, type Init, type LinearOptions } from './linear.ts';
export { saveSafetensors, loadSafetensors, type SafetensorsOptions } from './serialize.ts';
export { mseLoss, bceLoss, bceWithLogitsLoss, crossEntropyLoss, nllLoss, type Reduction, type LossOptions, type CrossEntropyOptions } from './losses.ts';
export { clipGradNorm } from './clip.ts';
export { GELU, SiLU, LogSigmoid, LeakyReLU, ELU, Softplus, Hardtanh, Identity } from './activations.ts';
export { LayerNorm, type LayerNormOptions } from './layer-norm.ts';
export { Embedding, type EmbeddingModuleOptions } from './embedding.ts';
export { buffer, type BufferDtype } from './module.ts';
export { type LoadSafetensorsOptions, type LinearLayout } from './serialize.ts';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './batch-norm.ts';
export { Conv1d, Conv2d, type ConvLayerOptions } from './conv.ts';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d } from './pool.ts';
export { RNNCell, LSTMCell, GRUCell, type CellOptions, type RNNCellOptions, type Nonlinearity } from './recurrent-cells.ts';
export { RNN, LSTM, GRU, type RecurrentOptions, type RNNOptions } from './recurrent.ts';
