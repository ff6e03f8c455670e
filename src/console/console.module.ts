import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The web console's static build (sources in the top-level console/ folder). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
