import { ValidateBy, ValidationOptions } from 'class-validator';
import { filterProblem } from '../shaping/webhook-filter';
import { templateProblem } from '../shaping/webhook-template';

/** A filter the matcher accepts (whitelisted operators, operand types, size and depth limits). */
export function IsWebhookFilter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWebhookFilter',
      validator: {
        validate: (value: unknown) => filterProblem(value) === null,
        defaultMessage: (args) => filterProblem(args?.value) ?? 'filter is not valid',
      },
    },
    options,
  );
}

/** A JSONata expression that parses, within the length limit. */
export function IsWebhookTemplate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWebhookTemplate',
      validator: {
        validate: (value: unknown) => templateProblem(value) === null,
        defaultMessage: (args) => templateProblem(args?.value) ?? 'template is not valid',
      },
    },
    options,
  );
}
