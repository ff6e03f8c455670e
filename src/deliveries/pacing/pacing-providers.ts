import { Provider } from '@nestjs/common';
import { MetricsService } from '../../metrics/metrics.service';
import { EndpointPacing } from './endpoint-pacing';
import { EndpointStates } from './endpoint-states';
import { registerEndpointGauge } from './endpoint-gauge';
import { SharedRateLimiter } from './shared-rate-limiter';
import { TransactionService } from '../../database/transaction.service';

/** Pacing's parts, for the deliveries module. */
export const pacingProviders: Provider[] = [
  SharedRateLimiter,
  EndpointStates,
  EndpointPacing,
  {
    provide: 'ENDPOINT_STATE_GAUGE',
    inject: [MetricsService, TransactionService],
    useFactory: (metrics: MetricsService, tx: TransactionService) => {
      registerEndpointGauge(metrics, tx);
      return true;
    },
  },
];
