export * from './bar.js';
export * from './quote.js';
export * from './tick.dto.js';
export * from './tick-check.js';
export * from './ws-messages.js';
export * from './channels.js';
export * from './symbols.js';
