import { Injectable } from '@nestjs/common';

/** Counters bumped on the hot paths as plain numbers; /metrics reads them at scrape time. */
@Injectable()
export class GatewayStats {
  messagesSent = 0;
  updatesConflated = 0;
  slowClientsClosed = 0;
  rateLimited = 0;
  heartbeatTimeouts = 0;
  upgradesRefused = 0;
}
