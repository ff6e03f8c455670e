import { Module } from '@nestjs/common';
import { TargetGuard } from './target-guard';

/** Where webhooks may point: checked when a URL is saved (webhooks) and at every connect (the sender). */
@Module({ providers: [TargetGuard], exports: [TargetGuard] })
export class NetworkModule {}
