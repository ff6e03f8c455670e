import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CI pipeline' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiPropertyOptional({
    example: '2030-01-01T00:00:00Z',
    format: 'date-time',
    description: 'When the key stops working (in the future, at most 10 years ahead); none: never',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}
