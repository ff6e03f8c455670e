import { ValidateBy, ValidationOptions } from 'class-validator';
import { filterProblem } from '../shaping/webhook-filter';

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
