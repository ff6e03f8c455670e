import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { assertKeysOpenStoredSecrets } from './stored-secrets-check';

/** Stops the process at start when the key cannot open the stored secrets. */
@Injectable()
export class SecretKeyCheck implements OnApplicationBootstrap {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): Promise<void> {
    return assertKeysOpenStoredSecrets(this.dataSource);
  }
}
