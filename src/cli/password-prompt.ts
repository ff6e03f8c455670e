import { InquirerService, Question, QuestionSet } from 'nest-commander';

const NEW_PASSWORD = 'new-password';

/** Asked on a terminal: twice, never echoed. */
@QuestionSet({ name: NEW_PASSWORD })
export class NewPasswordQuestions {
  @Question({
    type: 'password',
    name: 'password',
    message: 'Password (at least 8 characters):',
    mask: '*',
  })
  parsePassword(value: string): string {
    return value;
  }

  @Question({ type: 'password', name: 'confirm', message: 'The same password again:', mask: '*' })
  parseConfirm(value: string): string {
    return value;
  }
}

/**
 * A new user's password when `--password` is not given (a password on the command line is seen by
 * `ps` and kept in the shell's history): asked on a terminal, else the first line of standard input
 * (`printf '%s\n' "$PW" | homa user:create --email …`).
 */
export async function readNewPassword(inquirer: InquirerService): Promise<string> {
  if (process.stdin.isTTY) {
    const answers = await inquirer.ask<{ password: string; confirm: string }>(
      NEW_PASSWORD,
      undefined,
    );
    if (answers.password !== answers.confirm) throw new Error('The two passwords differ');
    return answers.password;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}
