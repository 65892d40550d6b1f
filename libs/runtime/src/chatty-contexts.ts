/** Nest's start-up chatter (a line per module and route): logged at debug so info stays one line per event. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController', 'NestFactory']);

export const isChatty = (context: unknown): boolean => typeof context === 'string' && CHATTY_CONTEXTS.has(context);
