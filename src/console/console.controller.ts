import { Controller, Get, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/env.validation';
import { CONSOLE_HEADERS, consoleBuildDir } from './console-files';

function notFound(res: Response): void {
  res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'No such file' });
}

/**
 * Serves the web console's static build under /console. Hashed files under assets/ are cached for
 * good; every other path is the single page (index.html), which routes in the browser.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly dir = consoleBuildDir();
  /** A production build has no source maps; should one be there all the same, it is not served. */
  private readonly hideSourceMaps: boolean;

  constructor(config: ConfigService<Env, true>) {
    this.hideSourceMaps = config.get('NODE_ENV', { infer: true }) === 'production';
  }

  @Get()
  index(@Res() res: Response): void {
    this.sendIndex(res);
  }

  @Get('*path')
  file(@Req() req: Request, @Res() res: Response): void {
    const path = req.path.replace(/^\/console\/?/, '');
    if (!path.startsWith('assets/')) return this.sendIndex(res);
    if (this.hideSourceMaps && path.endsWith('.map')) return notFound(res);
    res.set(CONSOLE_HEADERS);
    res.sendFile(
      path,
      { root: this.dir, dotfiles: 'deny', maxAge: '365d', immutable: true },
      (error?: Error) => {
        if (error && !res.headersSent) notFound(res);
      },
    );
  }

  private sendIndex(res: Response): void {
    res.set({ ...CONSOLE_HEADERS, 'Cache-Control': 'no-cache' });
    const index = join(this.dir, 'index.html');
    if (!existsSync(index)) {
      res.status(503).json({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The console is not built: run `npm run build`',
      });
      return;
    }
    res.sendFile(index);
  }
}
