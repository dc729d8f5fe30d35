// optim: the optimizers and their learning-rate schedules (the `optim` namespace of the package).
export * from './optimizers.ts';
export * from './lr-scheduler.ts';
export { LBFGS, type LBFGSOptions } from './lbfgs.ts';
