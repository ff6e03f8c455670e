import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageMetaDto } from '../../common/dto/page.dto';

export class CreateDepartmentDto {
  @ApiProperty({ example: 'Billing', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiPropertyOptional({ example: 'Invoices, refunds and payment methods' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class UpdateDepartmentDto extends PartialType(CreateDepartmentDto) {}

/** Response shapes, for the OpenAPI document. */
export class DepartmentResponseDto {
  @ApiProperty({ example: 5 })
  id: number;

  @ApiProperty({ example: 'Billing' })
  name: string;

  @ApiProperty({ example: 'Invoices, refunds and payment methods', nullable: true, type: String })
  description: string | null;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z', format: 'date-time' })
  created_at: string;

  @ApiProperty({ example: '2024-01-15T10:30:00.000Z', format: 'date-time' })
  updated_at: string;
}

export class DepartmentPageResponseDto {
  @ApiProperty({ type: [DepartmentResponseDto] })
  data: DepartmentResponseDto[];

  @ApiProperty({ type: PageMetaDto })
  meta: PageMetaDto;
}
