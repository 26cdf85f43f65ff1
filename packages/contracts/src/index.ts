export * from './common.js';
export * from './inventory.js';
export * from './terminals.js';
export * from './users.js';
export * from './imports.js';
export * from './device.js';
export * from './fleet.js';
export * from './diagnosis.js';
