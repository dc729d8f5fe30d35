// optim: the optimizers and their learning-rate schedules (the `optim` namespace of the package).
export * from './optimizers.ts';
export * from './lr-scheduler.ts';
export * from './lbfgs.ts';
export * from './newton.ts';
