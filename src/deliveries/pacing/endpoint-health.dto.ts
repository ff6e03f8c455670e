import { ApiProperty } from '@nestjs/swagger';
import { ENDPOINT_STATES } from './endpoint-gauge';

/** An endpoint's pacing state, as webhook health shows it. */
export class EndpointHealthDto {
  @ApiProperty({
    enum: ENDPOINT_STATES,
    description:
      'closed: normal; paused: until paused_until (Retry-After, or a slow-down pause); slowed: fewer requests in flight until successes return; open: the circuit breaker stopped attempts; half_open: one probe is due or under way',
  })
  state: (typeof ENDPOINT_STATES)[number];

  @ApiProperty({
    description: 'Failed attempts in a row (the breaker opens at WEBHOOK_BREAKER_FAILURES)',
  })
  consecutive_failures: number;

  @ApiProperty({
    description: '0 at full speed; each 429/502/503/504 without Retry-After adds one',
  })
  slow_level: number;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  paused_until: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'HTTP 429 with Retry-After: paused for 30 s',
  })
  pause_reason: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  opened_at: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  next_probe_at: string | null;
}
