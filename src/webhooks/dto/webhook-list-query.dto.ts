import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page.dto';

/** A page of webhooks, optionally only those whose name or URL holds `q`. */
export class WebhookListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    maxLength: 200,
    description:
      'Only webhooks whose name or URL contains this text, in any case. URLs are searched as the ' +
      'list shows them: a credential (user info, a key in the query, a fragment) never matches.',
    example: 'slack',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
