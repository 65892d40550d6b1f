import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { GatewayConfig } from '#app/config';
import { parseClientFrame } from './client-frame.parser.js';

/**
 * Nest's `ws` adapter with our frame format (`{action, payload}` instead of `{event, data}`, bad frames
 * turned into `invalid` events rather than dropped) and the configured frame-size limit, which `ws`
 * enforces by closing the socket with 1009.
 */
export class QuoteWsAdapter extends WsAdapter {
  constructor(
    app: INestApplication,
    private readonly limits: GatewayConfig,
  ) {
    super(app, { messageParser: (data) => parseClientFrame(data, limits.maxSymbolsPerConnection) });
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    return super.create(port, { ...options, maxPayload: this.limits.maxFrameBytes });
  }
}
